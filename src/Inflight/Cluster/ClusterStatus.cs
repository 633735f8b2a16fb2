namespace Inflight.Cluster;

/// <summary>
/// The <c>cluster</c> member of the active-requests payload: <c>partial</c> while Redis cannot be reached (the view
/// then holds this replica's requests only), why, and how many requests the cluster marked <c>replica_lost</c>.
/// </summary>
internal sealed record ClusterStatus(bool Partial, string? Reason, long ReplicaLost);

/// <summary>One entry of the payload's <c>replicas</c>: a replica, when it was last seen alive (epoch seconds), and how many requests it holds.</summary>
internal sealed record ReplicaSummary(string Id, double LastSeen, int Active);
