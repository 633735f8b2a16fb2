using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Inflight.Load;

/// <summary>
/// The soak: many requests through a gateway process to the fake upstream (both on loopback), in both client
/// formats, pass-through and translated, streaming and not, with injected faults (500, 429, a stream that
/// breaks, an upstream that hangs) and clients that abort mid-stream. Bounded by a request count and a time cap.
/// Afterwards the gateway must show 0 active requests and running totals that match, request for request and
/// token for token, what the driver sent; its own unexpected 5xx answers are counted.
/// </summary>
internal static class SoakDriver
{
    /// <summary>What each kind of request is, in the model name the fake upstream reads.</summary>
    internal enum Kind
    {
        Ok,
        Fault500,
        Fault429,
        Break,
        Hang,
        Abort,
    }

    // The route: client format, then the provider's format (ant = Anthropic, oai = OpenAI).
    private static readonly (string Name, bool AnthropicClient, string Provider, bool AnthropicUpstream)[] s_routes =
    [
        ("aa", true, "ant", true),
        ("oo", false, "oai", false),
        ("ao", true, "oai", false),
        ("oa", false, "ant", true),
    ];

    public static async Task<SoakReport> RunAsync(SoakOptions options, TextWriter log)
    {
        using var client = HttpLoad.CreateClient();
        await using var upstream = await LoadDriver.StartUpstreamAsync(log);

        // A short REQUEST_TIMEOUT turns the hung upstreams into prompt 504s; not so short that a loaded machine trips it.
        var gatewayOptions = new LoadOptions { GatewayEnvironment = new Dictionary<string, string> { ["REQUEST_TIMEOUT"] = "15" } };
        await using var gateway = await LoadDriver.StartGatewayAsync(gatewayOptions, upstream.Port, client, log);
        var rssBefore = gateway.Process.Memory().RssMb;

        var sent = new ConcurrentDictionary<(Kind, string, bool), int>();
        var expectedInput = 0L;
        var expectedOutput = 0L;
        var unexpected5xx = 0;
        var gatewayOwn5xx = 0;
        var mismatches = new ConcurrentQueue<string>();
        var next = -1;
        var clock = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < options.Requests && clock.Elapsed < options.TimeCap)
            {
                var kind = KindOf(i);
                var route = s_routes[(i / 100) % s_routes.Length];
                var stream = kind switch
                {
                    Kind.Break or Kind.Abort => true,
                    Kind.Hang => false,
                    _ => i % 2 == 0,
                };
                sent.AddOrUpdate((kind, route.Name, stream), 1, static (_, n) => n + 1);
                var status = await SendAsync(client, gateway.Url, route.AnthropicClient, route.Provider, kind, route.Name, stream);
                if (kind == Kind.Ok)
                {
                    var (input, output) = UpstreamUsage(route.AnthropicUpstream, stream);
                    Interlocked.Add(ref expectedInput, input);
                    Interlocked.Add(ref expectedOutput, output);
                }

                // The gateway's own 5xx that are right: 504 for a hung upstream, 502 for a stream that broke before
                // its first byte reached the client. Any other 5xx not passed on from the upstream is a gateway fault.
                if ((kind == Kind.Hang && status == 504) || (kind == Kind.Break && status == 502))
                {
                    Interlocked.Increment(ref gatewayOwn5xx);
                }
                else if (status >= 500 && kind != Kind.Fault500)
                {
                    Interlocked.Increment(ref unexpected5xx);
                    mismatches.Enqueue($"{kind} {route.Name} stream={stream}: {status}");
                }
                else if (status != ExpectedStatus(kind) && status != -1)
                {
                    mismatches.Enqueue($"{kind} {route.Name} stream={stream}: expected {ExpectedStatus(kind)}, got {status}");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(WorkerAsync)));
        var elapsed = clock.Elapsed;
        var total = sent.Values.Sum();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {total} requests in {elapsed.TotalSeconds:F1} s ({total / elapsed.TotalSeconds:F0} req/s)"));

        var active = await WaitForNoActiveAsync(client, gateway.Url);
        var rssAfter = gateway.Process.Memory().RssMb;

        var checks = new List<string>();
        using var totals = JsonDocument.Parse(await client.GetStringAsync(new Uri(gateway.Url, "metrics/running-totals?format=json")));
        var summary = totals.RootElement.GetProperty("summary");
        Check(checks, "total requests", total, summary.GetProperty("total_requests").GetInt64());
        Check(checks, "total errors", sent.Where(p => p.Key.Item1 != Kind.Ok).Sum(p => p.Value), summary.GetProperty("total_errors").GetInt64());
        foreach (var kind in Enum.GetValues<Kind>())
        {
            var expected = sent.Where(p => p.Key.Item1 == kind).Sum(p => p.Value);
            using var byKind = JsonDocument.Parse(await client.GetStringAsync(new Uri(gateway.Url, $"metrics/running-totals?format=json&model=soak-{ModelWord(kind)}-*")));
            var kindSummary = byKind.RootElement.GetProperty("summary");
            Check(checks, $"{kind} requests", expected, kindSummary.GetProperty("total_requests").GetInt64());
            Check(checks, $"{kind} errors", kind == Kind.Ok ? 0 : expected, kindSummary.GetProperty("total_errors").GetInt64());
            if (kind == Kind.Ok)
            {
                Check(checks, "input tokens of successes", expectedInput, kindSummary.GetProperty("input_tokens").GetInt64());
                Check(checks, "output tokens of successes", expectedOutput, kindSummary.GetProperty("output_tokens").GetInt64());
            }
        }

        foreach (var mismatch in mismatches.Take(10))
        {
            checks.Add("answer: " + mismatch);
        }

        var report = new SoakReport(total, elapsed, active, rssBefore, rssAfter, unexpected5xx, gatewayOwn5xx, expectedInput, expectedOutput, checks);
        log.WriteLine(report.Markdown());
        return report;
    }

    /// <summary>The fault mix, in every 100 requests: 88 succeed, 2 get a 500, 2 a 429, 2 streams break, 1 hangs, 5 clients abort.</summary>
    internal static Kind KindOf(int i) => (i % 100) switch
    {
        < 2 => Kind.Fault500,
        < 4 => Kind.Fault429,
        < 6 => Kind.Break,
        < 7 => Kind.Hang,
        < 12 => Kind.Abort,
        _ => Kind.Ok,
    };

    private static string ModelWord(Kind kind) => kind switch
    {
        Kind.Ok => "ok",
        Kind.Fault500 => "fault-500",
        Kind.Fault429 => "fault-429",
        Kind.Break => "fault-break",
        Kind.Hang => "fault-hang",
        _ => "abort-hold",
    };

    private static int ExpectedStatus(Kind kind) => kind switch
    {
        Kind.Fault500 => 500,
        Kind.Fault429 => 429,
        Kind.Hang => 504,
        _ => 200,
    };

    /// <summary>What the fake upstream reports (FakeUpstreamServer's fixed bodies and streams).</summary>
    private static (long Input, long Output) UpstreamUsage(bool anthropicUpstream, bool stream)
        => (anthropicUpstream, stream) switch
        {
            (true, true) => (25, 17),
            (true, false) => (12, 9),
            (false, true) => (19, 17),
            (false, false) => (19, 10),
        };

    /// <summary>One request, read to its end (or abandoned after its first bytes for an abort); the HTTP status, -1 if aborted.</summary>
    private static async Task<int> SendAsync(HttpClient client, Uri gatewayUrl, bool anthropic, string provider, Kind kind, string route, bool stream)
    {
        var model = $"{provider}:soak-{ModelWord(kind)}-{route}";
        var json = $$"""{"model":"{{model}}","max_tokens":16,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hello"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gatewayUrl, anthropic ? "v1/messages" : "v1/chat/completions"))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)),
        };
        request.Content.Headers.ContentType = new("application/json");
        if (anthropic)
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        }

        using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            await using var body = await response.Content.ReadAsStreamAsync(abort.Token);
            if (kind == Kind.Abort)
            {
                // The upstream holds after its first event: read a little of it, then leave.
                await body.ReadAtLeastAsync(new byte[16], 16, throwOnEndOfStream: true, abort.Token);
                await abort.CancelAsync();
                return -1;
            }

            await body.CopyToAsync(Stream.Null, abort.Token);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException && kind == Kind.Abort)
        {
            return -1;
        }
    }

    private static async Task<int> WaitForNoActiveAsync(HttpClient client, Uri gatewayUrl)
    {
        // Bounded: the gateway finalizes aborted requests as their cancellations land.
        var deadline = Stopwatch.StartNew();
        int active;
        do
        {
            using var snapshot = JsonDocument.Parse(await client.GetStringAsync(new Uri(gatewayUrl, "metrics/active-requests")));
            active = snapshot.RootElement.GetProperty("active_requests").GetArrayLength();
            if (active == 0)
            {
                return 0;
            }

            await Task.Delay(50);
        }
        while (deadline.Elapsed < TimeSpan.FromSeconds(30));

        return active;
    }

    private static void Check(List<string> failures, string what, long expected, long actual)
    {
        if (expected != actual)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected}, gateway says {actual}"));
        }
    }
}

/// <summary>Command-line options of the soak (<c>Inflight.Load soak</c>).</summary>
internal sealed record SoakOptions
{
    public const string Usage = "Usage: Inflight.Load soak [--requests N] [--seconds S] [--concurrency C]";

    public int Requests { get; init; } = 100_000;

    public TimeSpan TimeCap { get; init; } = TimeSpan.FromMinutes(10);

    public int Concurrency { get; init; } = 32;

    public static bool TryParse(string[] args, out SoakOptions options, out string? error)
    {
        options = new SoakOptions();
        error = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                error = $"{args[i]} needs a positive whole number (got '{args[i + 1]}')";
                return false;
            }

            switch (args[i])
            {
                case "--requests":
                    options = options with { Requests = value };
                    break;
                case "--seconds":
                    options = options with { TimeCap = TimeSpan.FromSeconds(value) };
                    break;
                case "--concurrency":
                    options = options with { Concurrency = value };
                    break;
                default:
                    error = $"unknown option '{args[i]}'";
                    return false;
            }
        }

        if (args.Length % 2 != 0)
        {
            error = $"{args[^1]} needs a value";
            return false;
        }

        return true;
    }
}

/// <summary>What the soak found. <see cref="Passed"/>: nothing left active, totals and tokens exact, no unexpected 5xx.</summary>
internal sealed record SoakReport(int Requests, TimeSpan Elapsed, int ActiveAfter, double RssBeforeMb, double RssAfterMb, int Unexpected5xx, int GatewayOwn5xx, long ExpectedInputTokens, long ExpectedOutputTokens, IReadOnlyList<string> Failures)
{
    public bool Passed => ActiveAfter == 0 && Unexpected5xx == 0 && Failures.Count == 0;

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| requests | seconds | req/s | active after | RSS before → after (MiB) | unexpected 5xx | gateway's own 5xx (504 hung, 502 broken) | result |");
        text.AppendLine("|---:|---:|---:|---:|---|---:|---:|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| {Requests} | {Elapsed.TotalSeconds:F1} | {Requests / Elapsed.TotalSeconds:F0} | {ActiveAfter} | {RssBeforeMb:F0} → {RssAfterMb:F0} | {Unexpected5xx} | {GatewayOwn5xx} | {(Passed ? "exact" : "FAILED")} |");
        foreach (var failure in Failures)
        {
            text.AppendLine("- " + failure);
        }

        return text.ToString();
    }
}
