using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// What the active-requests endpoints show: this replica's tracker, joined in cluster mode by every other
/// replica's requests (<see cref="ClusterView"/>). Without cluster mode it is the tracker alone, unchanged.
/// </summary>
internal sealed class ActiveView(RequestTracker tracker, ClusterView? cluster, TimeProvider timeProvider)
{
    public RequestTracker Tracker => tracker;

    /// <summary>The cluster view when cluster mode is on; null otherwise.</summary>
    public ClusterView? Cluster { get; } = cluster is { Enabled: true } ? cluster : null;

    /// <summary>Grows with every change to either part (both parts only grow).</summary>
    public long Version => tracker.Version + (Cluster?.Version ?? 0);

    public int ActiveCount => tracker.ActiveCount + (Cluster?.RemoteActiveCount ?? 0);

    public async ValueTask<long> WaitForChangeAsync(long knownVersion, CancellationToken cancellationToken)
    {
        if (Cluster is not { } cluster)
        {
            return await tracker.WaitForChangeAsync(knownVersion, cancellationToken);
        }

        while (Version <= knownVersion)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var local = tracker.WaitForChangeAsync(tracker.Version, either.Token).AsTask();
            var remote = cluster.WaitForChangeAsync(cluster.Version, either.Token).AsTask();
            await Task.WhenAny(local, remote);
            await either.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return Version;
    }

    /// <summary>Every active request, newest first; in cluster mode each names its replica.</summary>
    public IReadOnlyList<ActiveRequestSnapshot> GetActiveRequests()
    {
        var local = tracker.GetActiveRequests();
        if (Cluster is not { } cluster)
        {
            return local;
        }

        var all = cluster.GetRemoteActive();
        foreach (var request in local)
        {
            all.Add(request with { Replica = cluster.ReplicaId });
        }

        all.Sort(static (a, b) => b.StartTime.CompareTo(a.StartTime));
        return all;
    }

    public RequestLogEntry? FindRecent(string requestId)
        => tracker.FindRecent(requestId) is { } local
            ? (Cluster is { } cluster ? local with { Replica = cluster.ReplicaId } : local)
            : Cluster?.FindRecent(requestId);

    public ActiveRequestsPayload CreatePayload()
    {
        var requests = GetActiveRequests();
        var payload = new ActiveRequestsPayload(false, requests, timeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        return Cluster is not { } cluster
            ? payload
            : payload with { Replicas = cluster.GetReplicas(tracker.ActiveCount), Cluster = cluster.Status };
    }
}
