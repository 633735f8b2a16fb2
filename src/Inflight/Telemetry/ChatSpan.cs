using System.Diagnostics;
using Inflight.Protocols.Sse;
using Inflight.Tracking;

namespace Inflight.Telemetry;

/// <summary>
/// The recorded <c>chat {model}</c> span of one request. The relay shows it the upstream's answer (stream
/// chunks, or the whole body) so it can learn the response id, model, finish reasons and reasoning tokens;
/// <see cref="GenAiTracing"/> ends it when the tracked request is finalized. Exists only while a tracer
/// records the span, so a request without one pays nothing.
/// </summary>
internal sealed class ChatSpan : ISseEventHandler
{
    private readonly Activity _activity;
    private readonly ChatResponseFields _response = new();

    // Feeding and finishing happen in turn on the request's own path; the lock only makes sure the
    // reader's pooled buffers are never returned while a chunk is being read.
    private readonly Lock _gate = new();
    private SseEventReader? _events;
    private bool _finished;

    public ChatSpan(Activity activity)
    {
        _activity = activity;
    }

    /// <summary>The next bytes of the upstream's event stream (its format, not the client's), split anywhere.</summary>
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _events ??= new SseEventReader();
            try
            {
                _events.Feed(chunk, this);
            }
            catch (InvalidDataException)
            {
                // A line longer than the reader allows: drop it and pick up again at the next line.
                _events.Reset();
            }
        }
    }

    /// <summary>The upstream's whole (non-streamed) answer.</summary>
    public void ReadBody(ReadOnlySpan<byte> body)
    {
        lock (_gate)
        {
            if (!_finished)
            {
                _response.Read(body);
            }
        }
    }

    void ISseEventHandler.OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data) => _response.Read(data);

    /// <summary>Puts the outcome on the span and ends it at the request's own end time.</summary>
    public void Finish(RequestLogEntry entry)
    {
        lock (_gate)
        {
            _finished = true;
            _events?.Dispose();
        }

        var activity = _activity;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.ResponseModel, _response.Model ?? entry.Model);
            if (_response.Id is { } id)
            {
                activity.SetTag(GenAiAttributes.ResponseId, id);
            }

            if (_response.FinishReasons.Count > 0)
            {
                activity.SetTag(GenAiAttributes.ResponseFinishReasons, _response.FinishReasons.ToArray());
            }

            // The conventions count every input token, cached or not, in input_tokens; the cache figures are parts of it.
            activity.SetTag(GenAiAttributes.InputTokens, entry.InputTokens + entry.CacheReadTokens + entry.CacheCreationTokens);
            activity.SetTag(GenAiAttributes.OutputTokens, entry.OutputTokens);
            activity.SetTag(GenAiAttributes.CacheReadInputTokens, entry.CacheReadTokens);
            activity.SetTag(GenAiAttributes.CacheCreationInputTokens, entry.CacheCreationTokens);
            if (_response.ReasoningTokens is { } reasoning)
            {
                activity.SetTag(GenAiAttributes.ReasoningOutputTokens, reasoning);
            }

            activity.SetTag(GenAiAttributes.InflightTokensEstimated, entry.TokensEstimated);
            if (entry.IsStreaming && entry.TtftMs is { } ttft)
            {
                activity.SetTag(GenAiAttributes.TimeToFirstChunk, ttft / 1000.0);
            }

            if (entry.StatusCode is { } status)
            {
                activity.SetTag(GenAiAttributes.HttpStatusCode, status);
            }

            if (entry.ErrorType is { } errorType)
            {
                activity.SetTag(GenAiAttributes.ErrorType, errorType);
                // No description: an upstream's error text can quote what the client sent.
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        // Stop restores the activity that was current when the span started; the finishing thread keeps its own.
        var current = Activity.Current;
        activity.Stop();
        if (!ReferenceEquals(current, activity))
        {
            Activity.Current = current;
        }
    }
}
