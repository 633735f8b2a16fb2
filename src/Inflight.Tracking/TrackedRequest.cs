namespace Inflight.Tracking;

/// <summary>
/// The handle a request holds for its whole life. Progress calls are cheap, allocation-free and
/// thread-safe; exactly one of <see cref="Complete"/>, <see cref="Fail"/> or <see cref="Dispose"/>
/// finalizes it — later calls are ignored — so a <c>using</c> around the request makes a leaked
/// active entry impossible.
/// </summary>
public sealed class TrackedRequest : IDisposable
{
    private readonly RequestTracker _tracker;

    // Guards the mutable figures below so a snapshot never sees half of an update.
    private readonly Lock _gate = new();
    private int _finalized;
    private long _firstByteTimestamp;
    private long _inputTokens;
    private bool _inputTokensEstimated;
    private long _outputTokens;
    private bool _outputTokensEstimated;
    private long _cacheReadTokens;
    private long _cacheCreationTokens;
    private int _toolCalls;

    // Copy-on-write: a snapshot shares the array it read; an add replaces it under the gate.
    private string[] _translationNotes = [];

    internal TrackedRequest(RequestTracker tracker, RequestStart start, string requestId, long sequence, long startTimestamp, double startEpochSeconds)
    {
        _tracker = tracker;
        Start = start;
        RequestId = requestId;
        Sequence = sequence;
        QualifiedModel = start.Provider + ":" + start.ResolvedModel;
        StartTimestamp = startTimestamp;
        StartEpochSeconds = startEpochSeconds;
        _inputTokens = start.EstimatedInputTokens ?? 0;
        _inputTokensEstimated = start.EstimatedInputTokens is not null;
    }

    public string RequestId { get; }

    public RequestStart Start { get; }

    /// <summary><c>provider:model</c> (the resolved model).</summary>
    public string QualifiedModel { get; }

    /// <summary>Start order within the tracker; orders "newest first" without relying on clock resolution.</summary>
    internal long Sequence { get; }

    internal long StartTimestamp { get; }

    internal double StartEpochSeconds { get; }

    public bool IsFinalized => Volatile.Read(ref _finalized) != 0;

    /// <summary>The first upstream byte arrived: phase becomes "streaming" and TTFT is fixed.</summary>
    public void MarkFirstByte()
    {
        var now = _tracker.TimeProvider.GetTimestamp();
        lock (_gate)
        {
            if (_firstByteTimestamp != 0 || IsFinalized)
            {
                return;
            }

            // 0 means "not yet"; a fake clock may legitimately report 0, so nudge it.
            _firstByteTimestamp = now == 0 ? 1 : now;
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

            _outputTokens += tokens;
            _outputTokensEstimated = true;
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
                _inputTokens = input;
                _inputTokensEstimated = false;
            }

            if (outputTokens is { } output)
            {
                _outputTokens = output;
                _outputTokensEstimated = false;
            }

            if (cacheReadTokens is { } cacheRead)
            {
                _cacheReadTokens = cacheRead;
            }

            if (cacheCreationTokens is { } cacheCreation)
            {
                _cacheCreationTokens = cacheCreation;
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

            _toolCalls += count;
        }

        _tracker.NotifyChanged();
    }

    /// <summary>
    /// Records what translation changed on the way (a dropped field, a mapped value), e.g.
    /// <c>"dropped: context_management"</c>. Duplicates are ignored; at most
    /// <see cref="TranslationNotes.MaxCount"/> notes of <see cref="TranslationNotes.MaxLength"/> characters
    /// are kept, so a hostile body cannot grow the record.
    /// </summary>
    public void AddTranslationNote(string note)
    {
        if (string.IsNullOrEmpty(note))
        {
            return;
        }

        note = TranslationNotes.Bound(note);
        lock (_gate)
        {
            if (IsFinalized || _translationNotes.Length >= TranslationNotes.MaxCount || Array.IndexOf(_translationNotes, note) >= 0)
            {
                return;
            }

            _translationNotes = [.. _translationNotes, note];
        }

        _tracker.NotifyChanged();
    }

    /// <summary>
    /// Finalizes as a success. Returns false when the request was already finalized. An error status
    /// should go through <see cref="Fail"/> instead, so it counts as an error.
    /// </summary>
    public bool Complete(int statusCode = 200) => TryFinalize(statusCode, errorType: null, errorMessage: null);

    /// <summary>Finalizes as a failure with one of <see cref="ErrorTypes"/>. Returns false when already finalized.</summary>
    public bool Fail(string errorType, string? errorMessage = null, int? statusCode = null)
        => TryFinalize(statusCode, errorType ?? ErrorTypes.UnexpectedError, errorMessage);

    /// <summary>Finalizes as an unexpected error if nothing else did: the safety net that prevents leaks.</summary>
    public void Dispose() => TryFinalize(null, ErrorTypes.UnexpectedError, "The request ended without being completed.");

    private bool TryFinalize(int? statusCode, string? errorType, string? errorMessage)
    {
        if (Interlocked.Exchange(ref _finalized, 1) != 0)
        {
            return false;
        }

        var now = _tracker.TimeProvider.GetTimestamp();
        RequestFigures figures;
        lock (_gate)
        {
            // Inside the gate: ordered after any progress call that got in before the flag was set;
            // every later one sees the flag and is ignored, so these are the final figures.
            figures = ReadFiguresLocked(now);
        }

        _tracker.OnFinalized(this, figures, statusCode, errorType, errorMessage);
        return true;
    }

    /// <summary>The figures as of <paramref name="nowTimestamp"/>.</summary>
    internal RequestFigures ReadFigures(long nowTimestamp)
    {
        lock (_gate)
        {
            return ReadFiguresLocked(nowTimestamp);
        }
    }

    private RequestFigures ReadFiguresLocked(long nowTimestamp)
    {
        var time = _tracker.TimeProvider;
        return new RequestFigures(
            _inputTokens,
            _outputTokens,
            _cacheReadTokens,
            _cacheCreationTokens,
            _inputTokensEstimated || _outputTokensEstimated,
            Start.ToolUses,
            Start.ToolResults,
            _toolCalls,
            time.GetElapsedTime(StartTimestamp, nowTimestamp),
            _firstByteTimestamp == 0 ? null : time.GetElapsedTime(StartTimestamp, _firstByteTimestamp));
    }

    private string[] ReadTranslationNotes()
    {
        lock (_gate)
        {
            return _translationNotes;
        }
    }

    internal ActiveRequestSnapshot ToSnapshot(long nowTimestamp)
    {
        var figures = ReadFigures(nowTimestamp);
        var start = Start;
        return new ActiveRequestSnapshot
        {
            RequestId = RequestId,
            Provider = start.Provider,
            Model = start.ResolvedModel,
            RequestedModel = start.RequestedModel,
            ResolvedModel = start.ResolvedModel,
            QualifiedModel = QualifiedModel,
            IsStreaming = start.IsStreaming,
            StartTime = StartEpochSeconds,
            DurationMs = figures.Duration.TotalMilliseconds,
            Phase = figures.Ttft is null ? RequestPhase.Waiting : RequestPhase.Streaming,
            TtftMs = figures.Ttft?.TotalMilliseconds,
            InputTokens = figures.InputTokens,
            OutputTokens = figures.OutputTokens,
            CacheReadTokens = figures.CacheReadTokens,
            CacheCreationTokens = figures.CacheCreationTokens,
            TokensEstimated = figures.TokensEstimated,
            ToolUses = figures.ToolUses,
            ToolResults = figures.ToolResults,
            ToolCalls = figures.ToolCalls,
            RequestSize = start.RequestSize,
            MessageCount = start.MessageCount,
            ClientFormat = start.ClientFormat,
            UpstreamFormat = start.UpstreamFormat,
            TranslationNotes = ReadTranslationNotes(),
        };
    }

    internal RequestLogEntry ToLogEntry(in RequestFigures figures, double endEpochSeconds, int? statusCode, string? errorType, string? errorMessage)
    {
        var start = Start;
        return new RequestLogEntry
        {
            RequestId = RequestId,
            Provider = start.Provider,
            Model = start.ResolvedModel,
            RequestedModel = start.RequestedModel,
            QualifiedModel = QualifiedModel,
            IsStreaming = start.IsStreaming,
            Status = errorType is null ? RequestStatus.Success : RequestStatus.Error,
            StatusCode = statusCode,
            ErrorType = errorType,
            ErrorMessage = errorMessage,
            StartTime = StartEpochSeconds,
            EndTime = endEpochSeconds,
            DurationMs = figures.Duration.TotalMilliseconds,
            TtftMs = figures.Ttft?.TotalMilliseconds,
            InputTokens = figures.InputTokens,
            OutputTokens = figures.OutputTokens,
            CacheReadTokens = figures.CacheReadTokens,
            CacheCreationTokens = figures.CacheCreationTokens,
            TokensEstimated = figures.TokensEstimated,
            ToolUses = figures.ToolUses,
            ToolResults = figures.ToolResults,
            ToolCalls = figures.ToolCalls,
            RequestSize = start.RequestSize,
            MessageCount = start.MessageCount,
            ClientFormat = start.ClientFormat,
            UpstreamFormat = start.UpstreamFormat,
            TranslationNotes = ReadTranslationNotes(),
        };
    }
}
