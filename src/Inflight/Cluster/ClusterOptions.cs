using StackExchange.Redis;

namespace Inflight.Cluster;

/// <summary>Settings of cluster mode: one live view across replicas through Redis (off without <c>REDIS_URL</c>).</summary>
internal sealed class ClusterOptions
{
    /// <summary>How to reach Redis, parsed from <c>REDIS_URL</c>; null when cluster mode is off.</summary>
    public ConfigurationOptions? Redis { get; set; }

    /// <summary><c>REDIS_URL</c> with any password masked, for logs.</summary>
    public string RedisDisplay { get; set; } = "";

    public bool Enabled => Redis is not null;

    /// <summary><c>INFLIGHT_REPLICA_ID</c> (default host name and process id): names this replica in keys and records.</summary>
    public string ReplicaId { get; set; } = "";

    /// <summary><c>INFLIGHT_CLUSTER_HEARTBEAT</c> seconds (default 2): the liveness key lives three of these.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The heartbeat key's time to live: a replica silent for this long is gone.</summary>
    public TimeSpan LivenessTtl => Heartbeat * 3;

    internal List<string> LoadErrors { get; } = [];
}
