namespace Inflight.Tests.Cluster;

/// <summary>
/// A Redis, the slow upstream and three replicas a, b and c; all stopped and removed on dispose. The heartbeat is
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

    public static async Task<TestCluster> StartAsync(double heartbeatSeconds = 3)
    {
        var redis = await TempRedis.StartNewAsync();
        var upstream = await SlowUpstream.StartAsync();
        var replicas = new List<ClusterReplica>();
        try
        {
            foreach (var id in new[] { "a", "b", "c" })
            {
                replicas.Add(await ClusterReplica.StartAsync(id, redis.Url, upstream.BaseUrl, heartbeatSeconds));
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
