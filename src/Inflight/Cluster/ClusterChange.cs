using Inflight.Tracking;

namespace Inflight.Cluster;

/// <summary>
/// One change a replica publishes about one of its requests, in the stream and (while active) in its hash.
/// Every change carries the whole record, the replica's boot epoch and a per-replica sequence number, so a later
/// change simply replaces an earlier one and a reader can drop anything older than what it holds. Records hold
/// figures and metadata only, never prompt or output content.
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

    /// <summary>Requests the replica has started since boot (cumulative).</summary>
    public long Started { get; init; }

    /// <summary>Requests the replica has finished since boot (cumulative).</summary>
    public long Finished { get; init; }
}
