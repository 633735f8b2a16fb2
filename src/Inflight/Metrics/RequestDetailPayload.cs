using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// <c>GET /metrics/active-requests/{request_id}</c>: the record (an active snapshot while the request runs, its
/// log entry once it finished) plus its timeline, the upstream status, translation notes and who sent it. In
/// cluster mode it also finds other replicas' requests, from what their owners publish (never their content).
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

    /// <summary>In cluster mode: the replica that owns (or owned) the request; left out otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Replica { get; init; }

    /// <summary>
    /// In cluster mode: true when another replica owns the request, so this answer is built from what the owner
    /// published to Redis (at most one progress interval behind); left out otherwise.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Remote { get; init; }

    /// <summary>Why <see cref="Content"/> is absent though the owner captures it: content never leaves the owner's memory.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ContentUnavailable { get; init; }

    /// <summary>
    /// The request, wherever it is: this replica's active requests, then (cluster mode) another replica's, then the
    /// recent-requests logs of this replica and of the others.
    /// </summary>
    public static RequestDetailPayload? Find(ActiveView view, string requestId, ContentCapture? capture = null)
    {
        var cluster = view.Cluster;
        if (FindLocalActive(view.Tracker, requestId, capture, cluster?.ReplicaId) is { } local)
        {
            return local;
        }

        if (cluster?.FindRemoteActive(requestId) is { Active: { } remote } change)
        {
            return new RequestDetailPayload
            {
                RequestId = requestId,
                State = "active",
                Record = remote,
                Timeline = change.Timeline ?? new RequestTimeline { ReceivedAt = remote.StartTime, RoutedAt = remote.StartTime },
                UpstreamStatus = change.UpstreamStatus,
                TranslationNotes = remote.TranslationNotes,
                ClientName = remote.ClientName,
                ClientVersion = remote.ClientVersion,
                SessionId = remote.SessionId,
                UserId = remote.UserId,
                KeyLabel = remote.KeyLabel,
                CancelledBy = change.CancelledBy,
                Replica = change.Replica,
                Remote = true,
                ContentUnavailable = change.ContentOnOwner
                    ? $"The content peek is only available on the owner replica '{change.Replica}': content never leaves the replica that holds the request."
                    : null,
            };
        }

        if (view.FindRecent(requestId) is not { } entry)
        {
            return null;
        }

        var finished = ForFinished(entry);
        return cluster is null ? finished : finished with { Replica = entry.Replica, Remote = entry.Replica != cluster.ReplicaId };
    }

    /// <summary>This replica's active request; <paramref name="replica"/> names this replica in cluster mode.</summary>
    private static RequestDetailPayload? FindLocalActive(RequestTracker tracker, string requestId, ContentCapture? capture, string? replica)
    {
        // A request being finalized right now is still shown as it is here: it leaves the active set and enters the
        // recent log in one step under the tracker's lock, so one of the two look-ups always finds it. (Skipping a
        // finalized one here answered 404 between its flag and that step, which the drawer showed as gone.)
        if (tracker.FindActive(requestId) is { } active)
        {
            var snapshot = active.ToSnapshot();
            return new RequestDetailPayload
            {
                RequestId = requestId,
                State = "active",
                Record = replica is null ? snapshot : snapshot with { Replica = replica },
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
                Replica = replica,
                Remote = replica is null ? null : false,
            };
        }

        return null;
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
