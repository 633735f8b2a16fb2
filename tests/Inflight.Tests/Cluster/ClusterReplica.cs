using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Inflight.Tests.Hosting;

namespace Inflight.Tests.Cluster;

/// <summary>
/// One Inflight replica as a real process (the build's Inflight.dll beside the tests), on a free loopback port,
/// in cluster mode on the given Redis, with one OpenAI-format provider: the test's fake upstream.
/// </summary>
internal sealed class ClusterReplica : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;
    private readonly string _directory;
    private bool _killed;

    private ClusterReplica(string id, ChildProcess process, string directory)
    {
        Id = id;
        _process = process;
        _directory = directory;
    }

    public string Id { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string Output => _process.Output + _process.Error;

    /// <summary>Starts the replica in its own temp directory (its working directory); <paramref name="settings"/> add to or replace its environment.</summary>
    public static async Task<ClusterReplica> StartAsync(string id, string redisUrl, Uri upstream, double heartbeatSeconds = 2, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("inflight-replica-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["PORT"] = "0",
            ["REDIS_URL"] = redisUrl,
            ["INFLIGHT_REPLICA_ID"] = id,
            ["INFLIGHT_CLUSTER_HEARTBEAT"] = heartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["INFLIGHT_DATABASE_URL"] = "none",
            ["OPENAI_API_KEY"] = "sk-test-cluster",
            ["OPENAI_BASE_URL"] = upstream + "v1",
            ["VDM_DEFAULT_PROVIDER"] = "openai",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        var process = ChildProcess.Start(ChildProcess.Dotnet, [Path.Combine(AppContext.BaseDirectory, "Inflight.dll")], directory, environment);
        var replica = new ClusterReplica(id, process, directory);
        try
        {
            var line = await process.WaitForLineAsync(l => l.TrimStart().StartsWith("Listening ", StringComparison.Ordinal), s_startTimeout);
            replica.BaseAddress = new Uri(line.Trim()["Listening".Length..].Trim().Split(',')[0].Trim() + "/");
            replica.Client = new HttpClient { BaseAddress = replica.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            return replica;
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no clean leave, no last heartbeat.</summary>
    public async ValueTask KillAsync()
    {
        if (!_killed)
        {
            _killed = true;
            await _process.DisposeAsync();
        }
    }

    public async Task<JsonObject> GetJsonAsync(string path)
        => (await Client.GetFromJsonAsync<JsonObject>(path, TestContext.Current.CancellationToken))!;

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the killed process: the temp folder is cleaned by the system.
        }
    }
}
