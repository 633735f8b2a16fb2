using System.Collections.Concurrent;
using System.Diagnostics;
using Inflight.Configuration;
using Inflight.Tracking;

namespace Inflight.Telemetry;

/// <summary>
/// One CLIENT span per request sent to a provider, named <c>chat {model}</c> (the model the client asked for)
/// with the GenAI semantic conventions' attributes. It starts when the request is routed and ends when the
/// tracked request is finalized. With no tracer listening (no OTLP endpoint), <see cref="StartChat"/> returns
/// null after one check and nothing else happens. Prompt and completion content are never recorded.
/// </summary>
internal sealed class GenAiTracing : IRequestObserver
{
    public const string SourceName = "Inflight";

    private static readonly ActivitySource Source = new(SourceName);

    // The spans of requests in flight; touched only while spans are recorded.
    private readonly ConcurrentDictionary<TrackedRequest, ChatSpan> _open = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Starts the span of <paramref name="request"/> as the current activity of the calling flow (so the
    /// upstream call carries it as its parent); null when no tracer records it.
    /// </summary>
    public ChatSpan? StartChat(TrackedRequest request, ProviderOptions provider, ReadOnlySpan<byte> requestBody)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var start = request.Start;
        var ambient = Activity.Current;

        // The current activity is ASP.NET Core's for the incoming request, which nobody exports. The span joins
        // the client's own trace (a traceparent it sent) or starts a new one, never an unexported parent.
        var parent = ambient?.ParentId is { } parentId && ActivityContext.TryParse(parentId, ambient.TraceStateString, isRemote: true, out var remote)
            ? remote
            : default;
        Activity.Current = null;
        var activity = Source.StartActivity(GenAiAttributes.ChatOperation + " " + start.RequestedModel, ActivityKind.Client, parent);
        if (activity is null)
        {
            Activity.Current = ambient;
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.OperationName, GenAiAttributes.ChatOperation);
            activity.SetTag(GenAiAttributes.ProviderName, start.Provider);
            activity.SetTag(GenAiAttributes.RequestModel, start.RequestedModel);
            activity.SetTag(GenAiAttributes.RequestStream, start.IsStreaming);
            ChatRequestParameters.Tag(activity, requestBody);
            activity.SetTag(GenAiAttributes.ServerAddress, provider.BaseUrl.Host);
            activity.SetTag(GenAiAttributes.ServerPort, provider.BaseUrl.Port);
            activity.SetTag(GenAiAttributes.InflightRequestId, request.RequestId);
            activity.SetTag(GenAiAttributes.InflightClientFormat, start.ClientFormat);
            activity.SetTag(GenAiAttributes.InflightUpstreamFormat, start.UpstreamFormat);
        }

        var span = new ChatSpan(activity);
        _open[request] = span;
        return span;
    }

    public void OnFinished(TrackedRequest request, RequestLogEntry entry)
    {
        if (!_open.IsEmpty && _open.TryRemove(request, out var span))
        {
            span.Finish(entry);
        }
    }
}
