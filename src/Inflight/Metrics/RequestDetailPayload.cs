using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// <c>GET /metrics/active-requests/{request_id}</c>: the record (an active snapshot while the request runs, its
/// log entry once it finished) plus its timeline, the upstream status, translation notes and who sent it.
/// </summary>
internal sealed record RequestDetailPayload
{
    public required string RequestId { get; init; }

    /// <summary>"active" or "finished".</summary>
    public required string State { get; init; }

    /// <summary>An <see cref="ActiveRequestSnapshot"/> or a <see cref="RequestLogEntry"/>.</summary>
    public required object Record { get; init; }
    public required RequestTimeline Timeline { get; init; }
    public int? UpstreamStatus { get; init; }
    public required IReadOnlyList<string> TranslationNotes { get; init; }
    public required string ClientName { get; init; }
    public string? ClientVersion { get; init; }
    public string? SessionId { get; init; }
    public string? UserId { get; init; }
    public string? KeyLabel { get; init; }
    public string? CancelledBy { get; init; }

    /// <summary>The content peek (<c>VDM_CAPTURE_CONTENT=true</c>, active requests only); left out otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ContentPeekPayload? Content { get; init; }

    public static RequestDetailPayload? Find(RequestTracker tracker, string requestId, ContentCapture? capture = null)
    {
        if (tracker.FindActive(requestId) is { } active)
        {
            var snapshot = active.ToSnapshot();
            if (!active.IsFinalized)
            {
                return new RequestDetailPayload
                {
                    RequestId = requestId,
                    State = "active",
                    Record = snapshot,
                    Timeline = active.BuildTimeline(),
                    UpstreamStatus = active.UpstreamStatus,
                    TranslationNotes = snapshot.TranslationNotes,
                    ClientName = snapshot.ClientName,
                    ClientVersion = snapshot.ClientVersion,
                    SessionId = snapshot.SessionId,
                    UserId = snapshot.UserId,
                    KeyLabel = snapshot.KeyLabel,
                    CancelledBy = active.CancelledBy,
                    Content = capture?.Find(requestId) is { } peek ? ContentPeekPayload.From(peek) : null,
                };
            }
        }

        return tracker.FindRecent(requestId) is { } entry ? ForFinished(entry) : null;
    }

    /// <summary>
    /// What the content peek shows: <c>output_tail</c> (the last 4 KB of the answer's visible text so far),
    /// <c>output_bytes</c> (all of it, in bytes) and <c>last_user_message</c> (its first 1 KB).
    /// </summary>
    internal sealed record ContentPeekPayload(string OutputTail, long OutputBytes, string? LastUserMessage)
    {
        public static ContentPeekPayload From(ContentPeek peek)
        {
            var (tail, total) = peek.ReadOutput();
            return new ContentPeekPayload(tail, total, peek.LastUserMessage);
        }
    }

    public static RequestDetailPayload ForFinished(RequestLogEntry entry) => new()
    {
        RequestId = entry.RequestId,
        State = "finished",
        Record = entry,
        Timeline = entry.Timeline ?? new RequestTimeline { ReceivedAt = entry.StartTime, RoutedAt = entry.StartTime, FinishedAt = entry.EndTime },
        UpstreamStatus = entry.UpstreamStatus,
        TranslationNotes = entry.TranslationNotes,
        ClientName = entry.ClientName,
        ClientVersion = entry.ClientVersion,
        SessionId = entry.SessionId,
        UserId = entry.UserId,
        KeyLabel = entry.KeyLabel,
        CancelledBy = entry.CancelledBy,
    };
}
