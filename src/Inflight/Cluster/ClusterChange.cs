using Inflight.Tracking;

namespace Inflight.Cluster;

/// <summary>
/// One change a replica publishes about one of its requests, in the stream and (while active) in its hash.
/// Every change carries the whole record, the replica's boot epoch and a per-replica sequence number, so a later
/// change simply replaces an earlier one and a reader can drop anything older than what it holds. Records hold
/// figures, metadata and what the request detail endpoint shows (timeline, upstream status), never prompt or
/// output content.
/// </summary>
internal sealed record ClusterChange
{
    public const string StartType = "start";
    public const string ProgressType = "progress";
    public const string EndType = "end";

    public required string Type { get; init; }

    public required string Replica { get; init; }

    /// <summary>When the replica booted (epoch milliseconds): a restarted replica's records supersede the old ones.</summary>
    public long Epoch { get; init; }

    public long Seq { get; init; }

    public required string RequestId { get; init; }

    /// <summary>The active record (start and progress); durations were measured by the owner's monotonic clock.</summary>
    public ActiveRequestSnapshot? Active { get; init; }

    /// <summary>The final log entry (end).</summary>
    public RequestLogEntry? Final { get; init; }

    /// <summary>
    /// The request's timeline so far (start, progress) or in full (end), measured by the owner: what the request
    /// detail endpoint shows on any replica. It rides on changes that are sent anyway (progress at most every
    /// <see cref="ClusterPublisher.ProgressInterval"/>), so it may be that much behind the owner's own answer.
    /// </summary>
    public RequestTimeline? Timeline { get; init; }

    /// <summary>The upstream's HTTP status, once its headers arrived.</summary>
    public int? UpstreamStatus { get; init; }

    /// <summary>Who is cancelling the active request (the end's log entry carries it once it finished).</summary>
    public string? CancelledBy { get; init; }

    /// <summary>
    /// The owner keeps a content peek of the request (<c>VDM_CAPTURE_CONTENT</c>): only a flag, the content itself
    /// never leaves the owner's memory.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool ContentOnOwner { get; init; }

    /// <summary>Requests the replica has started since boot (cumulative).</summary>
    public long Started { get; init; }

    /// <summary>Requests the replica has finished since boot (cumulative).</summary>
    public long Finished { get; init; }
}
