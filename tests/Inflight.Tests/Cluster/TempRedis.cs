using System.Net;
using System.Net.Sockets;
using Inflight.Tests.Hosting;

namespace Inflight.Tests.Cluster;

/// <summary>
/// Debian's <c>redis-server</c> on a free loopback port in a temp directory, nothing persisted; test.sh installs
/// it when missing. <see cref="StopAsync"/> kills it (an outage) and <see cref="StartAsync"/> brings it back on
/// the same port, empty, as a restarted Redis without persistence would be.
/// </summary>
internal sealed class TempRedis : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("inflight-redis-").FullName;
    private ChildProcess? _server;

    private TempRedis(int port) => Port = port;

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}/0";

    public static async Task<TempRedis> StartNewAsync()
    {
        var redis = new TempRedis(FreeLoopbackPort());
        await redis.StartAsync();
        return redis;
    }

    public async Task StartAsync()
    {
        _server = ChildProcess.Start(
            "redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no"],
            _directory);
        await _server.WaitForLineAsync(line => line.Contains("Ready to accept connections", StringComparison.Ordinal), s_startTimeout);
    }

    /// <summary>Every key and value the server holds (strings, hashes, sets, streams), as text: what a replica wrote to Redis.</summary>
    public async Task<string> ReadEverythingAsync()
    {
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port}");
        var db = connection.GetDatabase();
        var text = new System.Text.StringBuilder();
        foreach (var key in connection.GetServer("127.0.0.1", Port).Keys())
        {
            text.Append(key).Append(" =");
            var type = await db.KeyTypeAsync(key);
            var values = type switch
            {
                StackExchange.Redis.RedisType.String => [(string?)await db.StringGetAsync(key)],
                StackExchange.Redis.RedisType.Hash => (await db.HashGetAllAsync(key)).Select(e => $"{e.Name}: {e.Value}"),
                StackExchange.Redis.RedisType.Set => (await db.SetMembersAsync(key)).Select(v => (string?)v),
                StackExchange.Redis.RedisType.Stream => (await db.StreamRangeAsync(key)).SelectMany(e => e.Values.Select(v => $"{e.Id} {v.Name}: {v.Value}")),
                _ => [$"({type})"],
            };
            foreach (var value in values)
            {
                text.Append(' ').AppendLine(value);
            }
        }

        return text.ToString();
    }

    /// <summary>Kills the server (SIGKILL): every connection drops at once.</summary>
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
