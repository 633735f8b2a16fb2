namespace Inflight.Tests.Cluster;

/// <summary>
/// A Redis, the slow upstream and (unless a test names others) three replicas a, b and c; all stopped and removed on dispose. The heartbeat is
/// 3 s unless a test needs another: on a loaded machine a replica must not miss three beats by accident.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(TempRedis redis, SlowUpstream upstream, IReadOnlyList<ClusterReplica> replicas)
    {
        Redis = redis;
        Upstream = upstream;
        Replicas = replicas;
    }

    public TempRedis Redis { get; }

    public SlowUpstream Upstream { get; }

    public IReadOnlyList<ClusterReplica> Replicas { get; }

    /// <summary>Replicas named <paramref name="ids"/> (default a, b and c), each with <paramref name="settings"/> added to its environment.</summary>
    public static async Task<TestCluster> StartAsync(double heartbeatSeconds = 3, string[]? ids = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var redis = await TempRedis.StartNewAsync();
        var upstream = await SlowUpstream.StartAsync();
        var replicas = new List<ClusterReplica>();
        try
        {
            foreach (var id in ids ?? ["a", "b", "c"])
            {
                replicas.Add(await ClusterReplica.StartAsync(id, redis.Url, upstream.BaseUrl, heartbeatSeconds, settings));
            }

            return new TestCluster(redis, upstream, replicas);
        }
        catch
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            await upstream.DisposeAsync();
            await redis.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Upstream.Release();
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        await Upstream.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
