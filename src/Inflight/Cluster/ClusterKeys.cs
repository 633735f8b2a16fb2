using StackExchange.Redis;

namespace Inflight.Cluster;

/// <summary>
/// Where cluster mode keeps things in Redis. Every key carries the <c>{inflight}</c> hash tag, so on a Redis
/// Cluster they all live in one slot and the lost-replica script may touch several of them.
/// </summary>
internal static class ClusterKeys
{
    private const string Prefix = "{inflight}:";

    /// <summary>SET of replica ids that have published.</summary>
    public static readonly RedisKey Replicas = Prefix + "replicas";

    /// <summary>STREAM of changes (start, progress, end) from every replica, trimmed to about <see cref="StreamMaxLength"/>.</summary>
    public static readonly RedisKey Events = Prefix + "events";

    /// <summary>HASH: <c>replica#epoch</c> → that replica's running totals (JSON), plus lost requests' totals.</summary>
    public static readonly RedisKey Totals = Prefix + "totals";

    /// <summary>Counter of requests that ended <c>replica_lost</c>, cluster-wide.</summary>
    public static readonly RedisKey Lost = Prefix + "lost";

    /// <summary>Pub/sub: a replica published changes (the message is its id). Only a wake-up; the stream is the truth.</summary>
    public static readonly RedisChannel Changed = RedisChannel.Literal(Prefix + "changed");

    /// <summary>Pub/sub: a cancel flag was set for the replica named in the message. Only a wake-up; the flag is the truth.</summary>
    public static readonly RedisChannel CancelRequested = RedisChannel.Literal(Prefix + "cancel");

    public const int StreamMaxLength = 10_000;

    /// <summary>STRING with a TTL of three beats: present while the replica is alive; holds its boot epoch.</summary>
    public static RedisKey Alive(string replica) => Prefix + "alive:" + replica;

    /// <summary>HASH: request id → the replica's latest change for that active request (JSON).</summary>
    public static RedisKey Active(string replica) => Prefix + "active:" + replica;

    /// <summary>HASH: request id → who asked to cancel it; the owner reads it every beat.</summary>
    public static RedisKey Cancel(string replica) => Prefix + "cancel:" + replica;
}
