namespace Inflight.Tracking;

/// <summary>
/// The handle a request holds for its whole life. Progress calls are cheap and thread-safe;
/// exactly one of <see cref="Complete"/>, <see cref="Fail"/> or <see cref="Dispose"/> finalizes it —
/// later calls are ignored — so a <c>using</c> around the request makes a leaked active entry impossible.
/// </summary>
public sealed class TrackedRequest : IDisposable
{
    private readonly RequestTracker _tracker;
    private readonly object _gate = new();
    private int _finalized;

    internal TrackedRequest(RequestTracker tracker, RequestStart start, string requestId, long startTimestamp, double startEpochSeconds)
    {
        _tracker = tracker;
        Start = start;
        RequestId = requestId;
        StartTimestamp = startTimestamp;
        StartEpochSeconds = startEpochSeconds;
        InputTokens = start.EstimatedInputTokens ?? 0;
        InputTokensEstimated = start.EstimatedInputTokens is not null;
    }

    public string RequestId { get; }

    public RequestStart Start { get; }

    internal long StartTimestamp { get; }

    internal double StartEpochSeconds { get; }

    internal long FirstByteTimestamp { get; private set; }

    internal long InputTokens { get; private set; }

    internal bool InputTokensEstimated { get; private set; }

    internal long OutputTokens { get; private set; }

    internal bool OutputTokensEstimated { get; private set; }

    internal long CacheReadTokens { get; private set; }

    internal long CacheCreationTokens { get; private set; }

    internal int ToolCalls { get; private set; }

    public bool IsFinalized => Volatile.Read(ref _finalized) != 0;

    /// <summary>The first upstream byte arrived: phase becomes "streaming" and TTFT is fixed.</summary>
    public void MarkFirstByte()
    {
        lock (_gate)
        {
            if (FirstByteTimestamp != 0 || IsFinalized)
            {
                return;
            }

            FirstByteTimestamp = _tracker.TimeProvider.GetTimestamp();
        }

        _tracker.NotifyChanged();
    }

    /// <summary>Adds an estimate of output tokens streamed so far (replaced when the provider reports usage).</summary>
    public void AddEstimatedOutputTokens(int tokens)
    {
        if (tokens <= 0)
        {
            return;
        }

        lock (_gate)
        {
            if (IsFinalized)
            {
                return;
            }

            OutputTokens += tokens;
            OutputTokensEstimated = true;
        }

        _tracker.NotifyChanged();
    }

    /// <summary>
    /// Records usage the provider reported. Null fields leave the current value alone; a reported
    /// output count replaces the running estimate.
    /// </summary>
    public void ReportUsage(long? inputTokens = null, long? outputTokens = null, long? cacheReadTokens = null, long? cacheCreationTokens = null)
    {
        lock (_gate)
        {
            if (IsFinalized)
            {
                return;
            }

            if (inputTokens is { } input)
            {
                InputTokens = input;
                InputTokensEstimated = false;
            }

            if (outputTokens is { } output)
            {
                OutputTokens = output;
                OutputTokensEstimated = false;
            }

            if (cacheReadTokens is { } cacheRead)
            {
                CacheReadTokens = cacheRead;
            }

            if (cacheCreationTokens is { } cacheCreation)
            {
                CacheCreationTokens = cacheCreation;
            }
        }

        _tracker.NotifyChanged();
    }

    /// <summary>Counts tool calls the model made in this response.</summary>
    public void AddToolCalls(int count)
    {
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            if (IsFinalized)
            {
                return;
            }

            ToolCalls += count;
        }

        _tracker.NotifyChanged();
    }

    /// <summary>Finalizes as a success. Returns false when the request was already finalized.</summary>
    public bool Complete(int statusCode = 200) => TryFinalize(statusCode, errorType: null, errorMessage: null);

    /// <summary>Finalizes as a failure with one of <see cref="ErrorTypes"/>. Returns false when already finalized.</summary>
    public bool Fail(string errorType, string? errorMessage = null, int? statusCode = null)
        => TryFinalize(statusCode, errorType, errorMessage);

    /// <summary>Finalizes as an unexpected error if nothing else did: the safety net that prevents leaks.</summary>
    public void Dispose() => TryFinalize(null, ErrorTypes.UnexpectedError, "The request ended without being completed.");

    private bool TryFinalize(int? statusCode, string? errorType, string? errorMessage)
    {
        if (Interlocked.Exchange(ref _finalized, 1) != 0)
        {
            return false;
        }

        lock (_gate)
        {
            // Taking the gate orders this after any progress call that was already inside it.
        }

        _tracker.OnFinalized(this, statusCode, errorType, errorMessage);
        return true;
    }

    internal ActiveRequestSnapshot ToSnapshot(long nowTimestamp)
    {
        lock (_gate)
        {
            var start = Start;
            return new ActiveRequestSnapshot
            {
                RequestId = RequestId,
                Provider = start.Provider,
                Model = start.ResolvedModel,
                RequestedModel = start.RequestedModel,
                ResolvedModel = start.ResolvedModel,
                QualifiedModel = start.Provider + ":" + start.ResolvedModel,
                IsStreaming = start.IsStreaming,
                StartTime = StartEpochSeconds,
                DurationMs = _tracker.TimeProvider.GetElapsedTime(StartTimestamp, nowTimestamp).TotalMilliseconds,
                Phase = FirstByteTimestamp == 0 ? RequestPhase.Waiting : RequestPhase.Streaming,
                TtftMs = FirstByteTimestamp == 0 ? null : _tracker.TimeProvider.GetElapsedTime(StartTimestamp, FirstByteTimestamp).TotalMilliseconds,
                InputTokens = InputTokens,
                OutputTokens = OutputTokens,
                CacheReadTokens = CacheReadTokens,
                CacheCreationTokens = CacheCreationTokens,
                TokensEstimated = InputTokensEstimated || OutputTokensEstimated,
                ToolUses = start.ToolUses,
                ToolResults = start.ToolResults,
                ToolCalls = ToolCalls,
                RequestSize = start.RequestSize,
                MessageCount = start.MessageCount,
                ClientFormat = start.ClientFormat,
                UpstreamFormat = start.UpstreamFormat,
            };
        }
    }
}
