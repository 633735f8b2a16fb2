using System.Diagnostics;
using Inflight.Tracking;

namespace Inflight.Telemetry;

/// <summary>
/// One CLIENT span per request, named <c>chat {model}</c> with the GenAI attributes, made when the request
/// finishes with its real start and end times, so a request pays nothing for it while in flight and
/// nothing at all when no tracer listens. Prompt and completion content are never recorded.
/// </summary>
internal sealed class GenAiTracing : IRequestObserver
{
    public const string SourceName = "Inflight";

    private static readonly ActivitySource Source = new(SourceName);

    public void OnFinished(TrackedRequest request, RequestLogEntry entry)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        // The finishing thread's current activity (the incoming HTTP request's, sampled or not, or
        // whatever ran last on this thread) is a parent only when it is recorded; otherwise the span is
        // a root, so an unsampled ambient activity cannot silently drop it.
        var ambient = Activity.Current;
        var parent = ambient is { Recorded: true } ? ambient.Context : default;
        Activity.Current = null;
        try
        {
            Record(entry, parent);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    private static void Record(RequestLogEntry entry, ActivityContext parent)
    {
        var start = DateTimeOffset.UnixEpoch.AddSeconds(entry.StartTime);
        using var activity = Source.StartActivity(
            GenAiAttributes.ChatOperation + " " + entry.RequestedModel,
            ActivityKind.Client,
            parentContext: parent,
            tags: null,
            links: null,
            startTime: start);
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.OperationName, GenAiAttributes.ChatOperation);
            activity.SetTag(GenAiAttributes.ProviderName, entry.Provider);
            activity.SetTag(GenAiAttributes.RequestModel, entry.RequestedModel);
            activity.SetTag(GenAiAttributes.ResponseModel, entry.Model);
            activity.SetTag(GenAiAttributes.InputTokens, entry.InputTokens);
            activity.SetTag(GenAiAttributes.OutputTokens, entry.OutputTokens);
            activity.SetTag(GenAiAttributes.CacheReadInputTokens, entry.CacheReadTokens);
            activity.SetTag(GenAiAttributes.CacheCreationInputTokens, entry.CacheCreationTokens);
            if (entry.IsStreaming && entry.TtftMs is { } ttft)
            {
                activity.SetTag(GenAiAttributes.TimeToFirstChunk, ttft / 1000.0);
            }

            activity.SetTag(GenAiAttributes.InflightRequestId, entry.RequestId);
            activity.SetTag(GenAiAttributes.InflightStreaming, entry.IsStreaming);
            activity.SetTag(GenAiAttributes.InflightClientFormat, entry.ClientFormat);
            activity.SetTag(GenAiAttributes.InflightUpstreamFormat, entry.UpstreamFormat);
            activity.SetTag(GenAiAttributes.InflightTokensEstimated, entry.TokensEstimated);
            if (entry.StatusCode is { } status)
            {
                activity.SetTag(GenAiAttributes.HttpStatusCode, status);
            }

            if (entry.ErrorType is { } errorType)
            {
                activity.SetTag(GenAiAttributes.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, entry.ErrorMessage);
            }
        }

        activity.SetEndTime(start.UtcDateTime + TimeSpan.FromMilliseconds(entry.DurationMs));
    }
}
