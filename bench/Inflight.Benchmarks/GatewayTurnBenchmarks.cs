using System.Diagnostics;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Inflight.Bench;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Inflight.Benchmarks;

/// <summary>
/// The whole gateway host in this process (in-memory client through <c>TestServer</c>, no inbound sockets) sending the
/// captured Claude Code turn to the load driver's fake provider in a process of its own: a translated turn on a warm
/// token cache beside the same-body passthrough, 16 requests at a time. What a request costs the host beyond the
/// pieces <see cref="ClaudeCodeTurnBenchmarks"/> measures (routing, tracking, relaying, the upstream client), in a
/// process that <c>perf record</c> can profile without a load driver and upstream sharing its cores.
/// Needs a Release build of bench/Inflight.Load (its <c>upstream</c> command is the fake provider).
/// Not yet reliable: its ratio moved between 1.1× and 2.5× from run to run while the tiered JIT was still busy
/// (docs/performance.md, issue 17, item 6).
/// </summary>
public class GatewayTurnBenchmarks : IDisposable
{
    private const int Concurrency = 16;

    private Process? _upstream;
    // Any type of the gateway's assembly names its entry point (this project's own top-level Program hides the gateway's).
    private WebApplicationFactory<Inflight.Gateway.UpstreamClients>? _factory;
    private HttpClient _client = null!;
    private byte[] _translated = null!;
    private byte[] _passthrough = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bodies = ClaudeCodeBodies.Load(Path.Combine(AppContext.BaseDirectory, "bodies"));
        _translated = ClaudeCodeBodies.WithModel(bodies.FirstTurn, "bench-fast");
        _passthrough = ClaudeCodeBodies.WithModel(bodies.FirstTurn, "ant:bench-fast");

        var root = BenchRepository.Root();
        var port = StartUpstream(root);
        var upstream = $"http://127.0.0.1:{port}/v1";

        // The gateway's content root (WebApplicationFactory would guess it from the solution folder and the assembly name).
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_INFLIGHT", Path.Combine(root, "src", "Inflight"));
        _factory = new WebApplicationFactory<Inflight.Gateway.UpstreamClients>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in new Dictionary<string, string>
            {
                ["OAI_API_KEY"] = "bench",
                ["OAI_BASE_URL"] = upstream,
                ["OAI_API_FORMAT"] = "openai",
                ["ANT_API_KEY"] = "bench",
                ["ANT_BASE_URL"] = upstream,
                ["ANT_API_FORMAT"] = "anthropic",
                ["VDM_DEFAULT_PROVIDER"] = "oai",
                ["INFLIGHT_DATABASE_URL"] = "none",
                ["Logging:LogLevel:Default"] = "Warning",
            })
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        _client = _factory.CreateClient();

        // Both paths answer, the warm case's blocks are in the token cache, and the host's thousands of methods have
        // reached their optimized tier: the harness counts process CPU, which would otherwise include the background JIT.
        var warmUp = Stopwatch.StartNew();
        for (var round = 0; round < 150 && warmUp.Elapsed < TimeSpan.FromSeconds(60); round++)
        {
            SendConcurrently(_translated);
            SendConcurrently(_passthrough);
        }
    }

    /// <summary>The Claude Code turn to the OpenAI-format provider: translated both ways, token count from the warm cache.</summary>
    [Benchmark(OperationsPerInvoke = Concurrency)]
    public long TranslatedTurnWarmCache() => SendConcurrently(_translated);

    /// <summary>The same bytes to the Anthropic-format provider: passed through.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency)]
    public long PassthroughTurn() => SendConcurrently(_passthrough);

    [GlobalCleanup]
    public void Dispose()
    {
        _client?.Dispose();
        _factory?.Dispose();
        if (_upstream is { HasExited: false })
        {
            _upstream.Kill(entireProcessTree: true);
        }

        _upstream?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// <see cref="Concurrency"/> requests at once, as the load driver's c16 cases send them: one at a time, the process's
    /// CPU would be mostly its threads spinning while the provider answers.
    /// </summary>
    private long SendConcurrently(byte[] body)
    {
        // Asynchronous sends, waited for once here: a thread-pool thread blocked in each send would spin and yield while
        // the provider answers, and that CPU would be counted against the slower path.
        var sends = new Task<long>[Concurrency];
        for (var i = 0; i < sends.Length; i++)
        {
            sends[i] = SendAsync(body);
        }

        return Task.WhenAll(sends).GetAwaiter().GetResult().Sum();
    }

    private async Task<long> SendAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = content };
        request.Headers.Add("x-api-key", "bench");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await _client.SendAsync(request);
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The gateway answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
        }

        return answer.Length;
    }

    /// <summary>Starts the load driver's fake provider and returns its port.</summary>
    private int StartUpstream(string root)
    {
        var driver = Path.Combine(root, "artifacts", "bin", "Inflight.Load", "release", "Inflight.Load.dll");
        if (!File.Exists(driver))
        {
            throw new FileNotFoundException("Build the fake provider first: dotnet build -c Release bench/Inflight.Load", driver);
        }

        _upstream = Process.Start(new ProcessStartInfo("dotnet", [driver, "upstream"])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        })!;
        while (_upstream.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                return new Uri(line["LISTENING ".Length..]).Port;
            }
        }

        throw new InvalidOperationException("The fake provider exited before it listened.");
    }
}
