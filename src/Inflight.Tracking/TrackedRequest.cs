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
    private long _upstreamHeadersTimestamp;
    private int _upstreamStatus;

    // Written on every upstream read without the gate (a plain volatile store: the progress path stays allocation- and lock-free).
    private long _lastByteTimestamp;
    private int _stalled;

    // Counts changes to what a snapshot shows apart from the clock: the delta publisher re-reads only requests whose count moved.
    private long _changes;

    // Created on first use: the gateway links it into the upstream call so a cancel aborts it at once.
    private CancellationTokenSource? _abort;
    private TaskCompletionSource<RequestLogEntry>? _finished;
    private RequestLogEntry? _finalEntry;

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

    /// <summary>Who cancelled the request through the metrics API (a key label or "dashboard session"); null otherwise.</summary>
    public string? CancelledBy { get; private set; }

    /// <summary>Fires when an operator cancels the request; the gateway links it into the upstream call.</summary>
    public CancellationToken AbortToken
    {
        get
        {
            var abort = Volatile.Read(ref _abort);
            if (abort is null)
            {
                var fresh = new CancellationTokenSource();
                abort = Interlocked.CompareExchange(ref _abort, fresh, null) ?? fresh;
                if (!ReferenceEquals(abort, fresh))
                {
                    fresh.Dispose();
                }
            }

            return abort.Token;
        }
    }

    /// <summary>True once an operator asked to cancel this request.</summary>
    public bool IsCancelRequested => CancelledBy is not null;

    /// <summary>Upstream answered with headers: records the time and the upstream status.</summary>
    public void MarkUpstreamHeaders(int statusCode)
    {
        var now = _tracker.TimeProvider.GetTimestamp();
        lock (_gate)
        {
            if (IsFinalized)
            {
                return;
            }

            _upstreamHeadersTimestamp = now == 0 ? 1 : now;
            _upstreamStatus = statusCode;
        }

        OnChanged();
    }

    /// <summary>
    /// Upstream bytes arrived (call on every read): fixes <c>last_chunk_at</c> and <c>idle_ms</c>, and ends a stall.
    /// Lock-free and allocation-free.
    /// </summary>
    public void MarkBytes()
    {
        var now = _tracker.TimeProvider.GetTimestamp();
        var previous = Interlocked.Exchange(ref _lastByteTimestamp, now == 0 ? 1 : now);
        if (IsFinalized)
        {
            return;
        }

        // A silence nobody looked at still counts: the gap before these bytes settles it.
        var threshold = _tracker.Options.StallThreshold;
        if (threshold > TimeSpan.Zero && Volatile.Read(ref _stalled) == 0
            && _tracker.TimeProvider.GetElapsedTime(previous == 0 ? StartTimestamp : previous, now) >= threshold
            && Interlocked.CompareExchange(ref _stalled, 1, 0) == 0)
        {
            _tracker.OnStallEntered();
        }

        if (Volatile.Read(ref _stalled) != 0 && Interlocked.Exchange(ref _stalled, 0) != 0)
        {
            Interlocked.Increment(ref _changes);
            _tracker.OnStallRecovered();
        }
    }

    /// <summary>Enters the stall (counted once) when the upstream has been silent for the threshold.</summary>
    internal void CheckStall(long nowTimestamp)
    {
        var threshold = _tracker.Options.StallThreshold;
        if (threshold > TimeSpan.Zero && !IsStalled && IdleTime(nowTimestamp) >= threshold && TryEnterStall())
        {
            Interlocked.Increment(ref _changes);
            _tracker.OnStallEntered();
        }
    }

    /// <summary>
    /// Grows with every change a snapshot shows, except the clock's own ticks (duration, idle time, rate). Read it
    /// before <see cref="ToSnapshot()"/>: a snapshot then holds at least every change the count includes.
    /// </summary>
    internal long ChangeCount => Interlocked.Read(ref _changes);

    /// <summary>Counted after the change itself, so a reader who saw the count also sees the change.</summary>
    private void OnChanged()
    {
        Interlocked.Increment(ref _changes);
        _tracker.NotifyChanged();
    }

    /// <summary>True while the request counts as stalled.</summary>
    public bool IsStalled => Volatile.Read(ref _stalled) != 0;

    /// <summary>How long since the last upstream byte (since the start before the first one).</summary>
    internal TimeSpan IdleTime(long nowTimestamp)
    {
        var last = Volatile.Read(ref _lastByteTimestamp);
        return _tracker.TimeProvider.GetElapsedTime(last == 0 ? StartTimestamp : last, nowTimestamp);
    }

    /// <summary>Marks the request stalled; true when it was not already (the tracker counts it once per stall).</summary>
    private bool TryEnterStall() => !IsFinalized && Interlocked.CompareExchange(ref _stalled, 1, 0) == 0;

    /// <summary>
    /// Asks the gateway to abort this request (the upstream call is cancelled at once). False when it already
    /// finished or another cancel came first.
    /// </summary>
    internal bool RequestCancel(string by)
    {
        lock (_gate)
        {
            if (IsFinalized || CancelledBy is not null)
            {
                return false;
            }

            CancelledBy = by;
            var finished = new TaskCompletionSource<RequestLogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _finished, finished);
        }

        _ = AbortToken;
        _abort!.Cancel();
        return true;
    }

    /// <summary>Completes with the final log entry once the request is finalized (after a cancel).</summary>
    internal Task<RequestLogEntry> WhenFinishedAsync()
    {
        var finished = Volatile.Read(ref _finished);
        if (Volatile.Read(ref _finalEntry) is { } entry)
        {
            return Task.FromResult(entry);
        }

        return finished?.Task ?? Task.FromException<RequestLogEntry>(new InvalidOperationException("No cancel is pending."));
    }

    internal void OnLogEntry(RequestLogEntry entry)
    {
        Volatile.Write(ref _finalEntry, entry);
        Volatile.Read(ref _finished)?.TrySetResult(entry);
        _abort?.Dispose();
    }

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

        OnChanged();
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

        OnChanged();
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

        OnChanged();
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

        OnChanged();
    }

    /// <summary>
    /// Records what translation changed on the way (a dropped field, a mapped value), e.g.
    /// <c>"dropped: context_management"</c>. Duplicates are ignored; at most
    /// <see cref="TranslationNotes.MaxCount"/> notes of <see cref="TranslationNotes.MaxLength"/> characters
    /// are kept, so a hostile body cannot grow the record.
    /// </summary>
    public void AddTranslationNote(string note)
    {
        bool added;
        lock (_gate)
        {
            added = TryAddNoteLocked(note);
        }

        if (added)
        {
            OnChanged();
        }
    }

    /// <summary>As <see cref="AddTranslationNote"/> for several notes at once (request translation's): one update for the dashboard, not one per note.</summary>
    public void AddTranslationNotes(IReadOnlyList<string> notes)
    {
        var added = false;
        lock (_gate)
        {
            foreach (var note in notes)
            {
                added |= TryAddNoteLocked(note);
            }
        }

        if (added)
        {
            OnChanged();
        }
    }

    private bool TryAddNoteLocked(string? note)
    {
        if (string.IsNullOrEmpty(note) || IsFinalized || _translationNotes.Length >= TranslationNotes.MaxCount)
        {
            return false;
        }

        note = TranslationNotes.Bound(note);
        if (Array.IndexOf(_translationNotes, note) >= 0)
        {
            return false;
        }

        _translationNotes = [.. _translationNotes, note];
        return true;
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
        if (!IsStalled)
        {
            // Ended in a silence as long as the threshold (a timeout, a cancel of a stuck request): that was a stall.
            var threshold = _tracker.Options.StallThreshold;
            if (threshold > TimeSpan.Zero && IdleTime(now) >= threshold && Interlocked.CompareExchange(ref _stalled, 1, 0) == 0)
            {
                _tracker.OnStallEntered();
            }
        }

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

    /// <summary>The request as the metrics API shows it right now.</summary>
    public ActiveRequestSnapshot ToSnapshot() => ToSnapshot(_tracker.TimeProvider.GetTimestamp());

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
            Phase = IsStalled ? RequestPhase.Stalled : figures.Ttft is null ? RequestPhase.Waiting : RequestPhase.Streaming,
            IdleMs = IdleTime(nowTimestamp).TotalMilliseconds,
            TokensPerSecond = TokensPerSecond(figures, nowTimestamp),
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
            ClientName = start.ClientName ?? ClientNames.Unknown,
            ClientVersion = start.ClientVersion,
            SessionId = start.SessionId,
            UserId = start.UserId,
            KeyLabel = start.KeyLabel,
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
            ClientName = start.ClientName ?? ClientNames.Unknown,
            ClientVersion = start.ClientVersion,
            SessionId = start.SessionId,
            UserId = start.UserId,
            KeyLabel = start.KeyLabel,
            CancelledBy = CancelledBy,
            // On the same clock as the other steps (the wall-clock end time may differ by a rounding).
            Timeline = BuildTimeline(Math.Round(StartEpochSeconds + figures.Duration.TotalSeconds, 3)),
            UpstreamStatus = UpstreamStatus,
        };
    }

    /// <summary>The status the upstream answered with; null before its headers arrived.</summary>
    public int? UpstreamStatus
    {
        get
        {
            lock (_gate)
            {
                return _upstreamStatus == 0 ? null : _upstreamStatus;
            }
        }
    }

    /// <summary>The timeline so far; <paramref name="finishedEpochSeconds"/> once the request ended.</summary>
    public RequestTimeline BuildTimeline(double? finishedEpochSeconds = null)
    {
        long headers;
        long firstByte;
        lock (_gate)
        {
            headers = _upstreamHeadersTimestamp;
            firstByte = _firstByteTimestamp;
        }

        var lastByte = Volatile.Read(ref _lastByteTimestamp);
        return new RequestTimeline
        {
            ReceivedAt = EpochOf(Start.ReceivedTimestamp ?? StartTimestamp),
            RoutedAt = Math.Round(StartEpochSeconds, 3),
            UpstreamHeadersAt = headers == 0 ? null : EpochOf(headers),
            FirstTokenAt = firstByte == 0 ? null : EpochOf(firstByte),
            LastChunkAt = lastByte == 0 ? null : EpochOf(lastByte),
            FinishedAt = finishedEpochSeconds,
        };
    }

    private double EpochOf(long timestamp)
        => Math.Round(StartEpochSeconds + _tracker.TimeProvider.GetElapsedTime(StartTimestamp, timestamp).TotalSeconds, 3);

    /// <summary>Output tokens per second since the first upstream byte; 0 before it.</summary>
    private double TokensPerSecond(in RequestFigures figures, long nowTimestamp)
    {
        if (figures.Ttft is not { } ttft)
        {
            return 0;
        }

        var streaming = figures.Duration - ttft;
        return streaming <= TimeSpan.Zero ? 0 : Math.Round(figures.OutputTokens / streaming.TotalSeconds, 1);
    }
}
