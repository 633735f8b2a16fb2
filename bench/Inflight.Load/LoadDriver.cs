using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Inflight.Bench;

namespace Inflight.Load;

/// <summary>SSE push latency at many subscribers with many requests active.</summary>
/// <remarks>The "first" figures are each probe's fastest subscriber: the build and one write, without the fan-out.</remarks>
internal sealed record PushResult(string Mode, double BytesPerEvent, int Subscribers, int Active, int Probes, int StartSeen, int FinishSeen, double StartP50Ms, double StartP99Ms, double FinishP50Ms, double FinishP99Ms, double FirstStartP50Ms, double FirstFinishP50Ms);

/// <summary>Many held-open streams: the gateway's memory and the snapshot endpoint's time.</summary>
internal sealed record HeldResult(int Requested, int Held, double RssBeforeMb, double RssHeldMb, double KbPerStream, double? SnapshotP50Ms, double? SnapshotKb, double EstablishSeconds);

internal sealed record LoadReport(List<Measurement> Measurements, List<PushResult> Push, List<HeldResult> Held, List<string> Notes, string Markdown)
{
    /// <summary>Failed requests direct or through Inflight; a peer gateway's failures are reported, not fatal.</summary>
    public int Errors => Measurements.Where(m => m.Target != Target.Portkey).Sum(m => m.Errors);
}

/// <summary>
/// Starts the fake upstream, the gateway (and optionally Portkey) as separate processes on loopback,
/// warms up, then runs every case against each target in the same run so ratios are fair.
/// </summary>
internal static class LoadDriver
{
    private const string PlainModel = "bench-fast";
    private const string PacedModel = "bench-paced";
    private const string HoldModel = "bench-hold";

    /// <summary>Longer than the SSE hub's coalescing window, so each probe event is an isolated change.</summary>
    private static readonly TimeSpan ProbeSpacing = TimeSpan.FromMilliseconds(75);

    public static async Task<LoadReport> RunAsync(LoadOptions options, TextWriter log)
    {
        var notes = new List<string>();
        var measurements = new List<Measurement>();
        var pushes = new List<PushResult>();
        var helds = new List<HeldResult>();
        using var client = HttpLoad.CreateClient();

        await using var upstream = await StartUpstreamAsync(log);
        var upstreamUrl = new Uri($"http://127.0.0.1:{upstream.Port}/");
        await using var gateway = await StartGatewayAsync(options, upstream.Port, client, log);
        await using var portkey = options.Portkey ? await StartPortkeyAsync(options, client, log, notes) : null;

        var direct = new Target(Target.Direct, upstreamUrl, new Dictionary<string, string>(), static (model, _) => model);
        var inflight = new Target(Target.Inflight, gateway.Url, new Dictionary<string, string>(), static (model, anthropic) => anthropic ? "ant:" + model : model)
        {
            Process = gateway.Process,
        };
        Target? peer = portkey is null ? null : new Target(Target.Portkey, portkey.Url, new Dictionary<string, string>
        {
            ["x-portkey-provider"] = "openai",
            ["x-portkey-custom-host"] = $"http://127.0.0.1:{upstream.Port}/v1",
        }, static (model, _) => model)
        {
            Process = portkey.Process,
        };

        await WarmUpAsync(options, client, log, [direct, inflight, .. peer is null ? Array.Empty<Target>() : [peer]]);
        var claude = ClaudeCodeCaseNames.Any(options.Includes) ? ClaudeCodeCase.Load() : null;
        if (claude is not null)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Claude Code bodies: translated and same-body passthrough {claude.Translated.Length:N0} / {claude.AnthropicPassthrough.Length:N0} bytes, OpenAI form {claude.OpenAIPassthrough.Length:N0} bytes, cold bodies {claude.Cold().Length:N0} bytes."));
            if (claude.Adaptation is { } adaptation)
            {
                notes.Add(adaptation);
            }
        }

        for (var run = 1; run <= options.Repeat; run++)
        {
            log.WriteLine($"== run {run}/{options.Repeat}");
            foreach (var anthropic in new[] { false, true })
            {
                var format = anthropic ? "anthropic" : "openai";
                foreach (var concurrency in new[] { 1, 32, 128 })
                {
                    var name = $"plain-{format}-c{concurrency}";
                    if (options.Includes(name))
                    {
                        var count = options.Count(concurrency == 1 ? 3_000 : 15_000);
                        measurements.AddRange(await RunCaseAsync(client, log, name, Targets(anthropic), anthropic, stream: false, PlainModel, count, concurrency, options.Cap(15)));
                    }
                }

                foreach (var rate in new[] { 1_000, 5_000 })
                {
                    var name = $"plain-{format}-rate{rate}";
                    if (options.Includes(name))
                    {
                        measurements.AddRange(await RunRateCaseAsync(log, client, name, Targets(anthropic), anthropic, rate, options.Count(rate * 3), options.Cap(15)));
                    }
                }

                var streamName = $"stream-{format}-c32";
                if (options.Includes(streamName))
                {
                    measurements.AddRange(await RunCaseAsync(client, log, streamName, Targets(anthropic), anthropic, stream: true, PlainModel, options.Count(8_000), 32, options.Cap(15)));
                }
            }

            if (options.Includes("stream-openai-paced-c8"))
            {
                measurements.AddRange(await RunCaseAsync(client, log, "stream-openai-paced-c8", Targets(false), false, stream: true, PacedModel, options.Count(240), 8, options.Cap(15)));
            }

            if (options.Includes("stream-translated-paced-c16"))
            {
                // An Anthropic client through the OpenAI-format provider (as Claude Code is), events 1 ms apart: each
                // upstream read waits, so the relay's keep-alive wait runs for every chunk.
                var translated = new Target(Target.Inflight, gateway.Url, new Dictionary<string, string>(), static (model, _) => model)
                {
                    Process = gateway.Process,
                };
                if (run == 1)
                {
                    // The gateway's warm-up does not take this path: JIT it first, or the first repetition measures the compiler.
                    await HttpLoad.RunAsync(client, "warmup", translated, anthropic: true, stream: true, PacedModel, options.Count(1_000, 4), 16, options.Cap(15));
                }

                measurements.AddRange(await RunCaseAsync(client, log, "stream-translated-paced-c16", [direct, translated], anthropic: true, stream: true, PacedModel, options.Count(2_000), 16, options.Cap(15)));
            }

            if (claude is not null)
            {
                measurements.AddRange(await RunClaudeCodeAsync(options, client, log, claude, direct, inflight, warmUp: run == 1, reversed: run % 2 == 0));
            }

            if (options.Includes("watched"))
            {
                measurements.AddRange(await RunWatchedAsync(options, client, log, notes, gateway.Url, direct, inflight));
            }

            foreach (var delta in new[] { false, true })
            {
                if (options.Includes(delta ? "push-delta" : "push"))
                {
                    var push = await RunPushLatencyAsync(options, client, log, notes, gateway.Url, upstreamUrl, inflight, delta);
                    if (push is not null)
                    {
                        pushes.Add(push);
                    }
                }
            }

            if (options.Includes("held"))
            {
                helds.Add(await RunHeldAsync(options, client, log, notes, upstream.Port, upstreamUrl));
            }
        }

        if (claude is not null)
        {
            notes.Add(await TokenCountCacheNoteAsync(client, gateway.Url));
        }

        notes.Add(await HistoryNoteAsync(client, gateway.Url));

        var markdown = Report.Markdown(options, measurements, pushes, helds, notes.Distinct().ToList());
        if (options.OutPath is not null)
        {
            await File.WriteAllTextAsync(options.OutPath, markdown);
        }

        if (options.JsonPath is not null)
        {
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(new { measurements, pushes, helds, notes }, new JsonSerializerOptions { WriteIndented = true }));
        }

        log.WriteLine();
        log.WriteLine(markdown);
        return new LoadReport(measurements, pushes, helds, notes, markdown);

        Target[] Targets(bool anthropic) => peer is not null && !anthropic ? [direct, inflight, peer] : [direct, inflight];
    }

    private static IEnumerable<string> ClaudeCodeCaseNames =>
        from concurrency in new[] { 1, 16 }
        from path in new[] { "passthrough-anthropic", "passthrough-openai", "translated-warm", "translated-cold" }
        select $"claude-{path}-c{concurrency}";

    /// <summary>Long enough that /proc's 10 ms CPU ticks are a few percent of a case; cold requests cost ~20 times more.</summary>
    private static int CaseCount(int concurrency, string path) => (concurrency == 1 ? 400 : 1_600) / (path == "translated-cold" ? 4 : 1);

    /// <summary>
    /// The captured Claude Code turn (77 KB, streaming, 20 upstream chunks) through translation with a warm and a
    /// cold token-count cache, beside the same-format passthrough of the same body and of its OpenAI form. Every
    /// other repetition runs the paths in reverse order, so a drift of the machine during a repetition does not
    /// always favour the same path in the ratios (the report takes medians over the repetitions).
    /// </summary>
    private static async Task<List<Measurement>> RunClaudeCodeAsync(LoadOptions options, HttpClient client, TextWriter log, ClaudeCodeCase claude, Target direct, Target inflight, bool warmUp, bool reversed)
    {
        (string Path, bool Anthropic, Func<byte[]> Direct, Func<byte[]> Inflight)[] paths =
        [
            ("passthrough-anthropic", true, () => claude.Translated, () => claude.AnthropicPassthrough),
            ("passthrough-openai", false, () => claude.OpenAIPassthrough, () => claude.OpenAIPassthrough),
            ("translated-warm", true, () => claude.Translated, () => claude.Translated),
            ("translated-cold", true, claude.Cold, claude.Cold),
        ];
        if (warmUp)
        {
            // One unmeasured pass over every case through the gateway, at each case's concurrency and half its count: every
            // path JIT-compiled up to its optimized tier (the tokenizer too), and the warm case's counts cached. A warm-up
            // at concurrency 2 alone left the whole first repetition high, every c16 case 1.5-1.8x its later repetitions
            // whichever path it was (tiered compilation is held back while new methods keep compiling), which skewed that
            // repetition's ratios (docs/performance.md, the warm turn's gap).
            foreach (var concurrency in new[] { 1, 16 })
            {
                foreach (var (path, anthropic, _, inflightBody) in paths)
                {
                    await HttpLoad.RunAsync(client, "warmup", inflight, anthropic, stream: true, PlainModel, options.Count(CaseCount(concurrency, path) / 2, 2), concurrency, options.Cap(15), inflightBody);
                }
            }
        }

        var results = new List<Measurement>();
        foreach (var concurrency in new[] { 1, 16 })
        {
            foreach (var (path, anthropic, directBody, inflightBody) in reversed ? Enumerable.Reverse(paths) : paths)
            {
                var name = $"claude-{path}-c{concurrency}";
                if (!options.Includes(name))
                {
                    continue;
                }

                foreach (var (target, body) in new[] { (direct, directBody), (inflight, inflightBody) })
                {
                    var result = await HttpLoad.RunAsync(client, name, target, anthropic, stream: true, PlainModel, options.Count(CaseCount(concurrency, path)), concurrency, options.Cap(15), body);
                    LogResult(log, name, target, result);
                    results.Add(result);
                }
            }
        }

        return results;
    }

    private static async Task<string> TokenCountCacheNoteAsync(HttpClient client, Uri gatewayUrl)
    {
        using var health = JsonDocument.Parse(await client.GetStringAsync(new Uri(gatewayUrl, "health")));
        if (!health.RootElement.TryGetProperty("token_count_cache", out var cache))
        {
            return "The gateway's `/health` does not report its token-count cache.";
        }

        var note = string.Create(CultureInfo.InvariantCulture, $"Gateway token-count cache at the end (`/health`): {Figures(cache)}.");
        return health.RootElement.TryGetProperty("tool_list_cache", out var toolLists)
            ? string.Create(CultureInfo.InvariantCulture, $"{note} Translated tool lists: {Figures(toolLists)}.")
            : note;

        static string Figures(JsonElement cache)
            => string.Create(CultureInfo.InvariantCulture, $"{cache.GetProperty("hits").GetInt64():N0} hits, {cache.GetProperty("misses").GetInt64():N0} misses, {cache.GetProperty("entries").GetInt32():N0} of {cache.GetProperty("capacity").GetInt32():N0} entries");
    }

    /// <summary>The history writer's figures at the end of the run: its store, mean batch size and lag (set INFLIGHT_DATABASE_URL with --gateway-env).</summary>
    private static async Task<string> HistoryNoteAsync(HttpClient client, Uri gatewayUrl)
    {
        using var health = JsonDocument.Parse(await client.GetStringAsync(new Uri(gatewayUrl, "health")));
        if (!health.RootElement.TryGetProperty("history", out var history) || history.GetProperty("store").GetString() == "none")
        {
            return "History off (`INFLIGHT_DATABASE_URL=none`).";
        }

        var written = history.GetProperty("written").GetInt64();
        var batches = history.GetProperty("batches").GetInt64();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"History `{history.GetProperty("store").GetString()}` at the end (`/health`): {written:N0} requests written in {batches:N0} batches (mean {(batches == 0 ? 0 : (double)written / batches):F1}), {history.GetProperty("pending").GetInt32():N0} pending, {history.GetProperty("dropped").GetInt64():N0} dropped; lag last {history.GetProperty("last_lag_ms").GetDouble():F1} ms, max {history.GetProperty("max_lag_ms").GetDouble():F1} ms.");
    }

    private static void LogResult(TextWriter log, string name, Target target, Measurement result)
        => log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28} {target.Name,-9} {result.Rps,9:F0} req/s  p50 {result.P50Ms,7:F3} ms  p99 {result.P99Ms,7:F3} ms  cpu {result.ProxyCpuUsPerRequest,6:F0} us/req  errors {result.Errors}{(result.FirstError is null ? "" : " (" + result.FirstError + ")")}"));

    private static async Task<List<Measurement>> RunCaseAsync(HttpClient client, TextWriter log, string name, Target[] targets, bool anthropic, bool stream, string model, int count, int concurrency, TimeSpan cap)
    {
        var results = new List<Measurement>();
        foreach (var target in targets)
        {
            var result = await HttpLoad.RunAsync(client, name, target, anthropic, stream, model, count, concurrency, cap);
            LogResult(log, name, target, result);
            results.Add(result);
        }

        return results;
    }

    private static async Task<List<Measurement>> RunRateCaseAsync(TextWriter log, HttpClient client, string name, Target[] targets, bool anthropic, int rate, int count, TimeSpan cap)
    {
        var results = new List<Measurement>();
        foreach (var target in targets)
        {
            var result = await HttpLoad.RunAtRateAsync(client, name, target, anthropic, PlainModel, rate, count, cap);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28} {target.Name,-9} {result.Rps,9:F0} req/s  p50 {result.P50Ms,7:F3} ms  p99 {result.P99Ms,7:F3} ms  errors {result.Errors}{(result.FirstError is null ? "" : " (" + result.FirstError + ")")}"));
            results.Add(result);
        }

        return results;
    }

    private static async Task WarmUpAsync(LoadOptions options, HttpClient client, TextWriter log, Target[] targets)
    {
        log.WriteLine("warming up");
        foreach (var target in targets)
        {
            foreach (var anthropic in new[] { false, true })
            {
                if (target.Name == Target.Portkey && anthropic)
                {
                    continue;
                }

                await HttpLoad.RunAsync(client, "warmup", target, anthropic, stream: false, PlainModel, options.Count(2_000, 4), 16, options.Cap(10));
                await HttpLoad.RunAsync(client, "warmup", target, anthropic, stream: true, PlainModel, options.Count(600, 4), 16, options.Cap(10));
            }
        }
    }

    /// <summary>The cost of being watched: the plain and streaming c32 cases with 100 dashboards connected.</summary>
    private static async Task<List<Measurement>> RunWatchedAsync(LoadOptions options, HttpClient client, TextWriter log, List<string> notes, Uri gatewayUrl, Target direct, Target inflight)
    {
        var subscribers = options.Smoke ? 3 : 100;
        await using var watchers = await SseWatchers.ConnectAsync(client, new Uri(gatewayUrl, "metrics/active-requests/stream"), subscribers, null, CancellationToken.None);
        if (watchers is null)
        {
            notes.Add($"Watched and push-latency cases skipped: not every subscriber of `/metrics/active-requests/stream` connected ({SseWatchers.LastFailure}).");
            return [];
        }

        var results = new List<Measurement>();
        var before = watchers.Events;
        results.AddRange(await RunCaseAsync(client, log, $"watched{subscribers}-plain-openai-c32", [direct, inflight], false, false, PlainModel, options.Count(15_000), 32, options.Cap(15)));
        results.AddRange(await RunCaseAsync(client, log, $"watched{subscribers}-stream-openai-c32", [direct, inflight], false, true, PlainModel, options.Count(8_000), 32, options.Cap(15)));
        log.WriteLine($"  {subscribers} subscribers received {(watchers.Events - before) / subscribers} events each");
        return results;
    }

    /// <summary>
    /// Start → first event naming the request at every subscriber, and finish → the event that drops it: an
    /// <c>update</c> without it, or in delta mode (<c>?mode=delta</c>) its <c>request-end</c>.
    /// </summary>
    private static async Task<PushResult?> RunPushLatencyAsync(LoadOptions options, HttpClient client, TextWriter log, List<string> notes, Uri gatewayUrl, Uri upstreamUrl, Target inflight, bool delta)
    {
        var active = options.Smoke ? 10 : 1_000;
        var subscribers = options.Smoke ? 3 : 100;
        var probes = options.Smoke ? 3 : 40;
        var startSeen = new long[subscribers];
        var finishSeen = new long[subscribers];
        byte[] token = [];
        var phase = 0;

        void OnEvent(int subscriber, ReadOnlySpan<byte> sseEvent, long timestamp)
        {
            var current = Volatile.Read(ref phase);
            if (current == 0)
            {
                return;
            }

            var contains = sseEvent.IndexOf(Volatile.Read(ref token)) >= 0;
            if (current == 1 && contains && startSeen[subscriber] == 0)
            {
                startSeen[subscriber] = timestamp;
            }
            else if (current == 2 && (delta ? contains && sseEvent.IndexOf("event: request-end"u8) >= 0 : !contains) && startSeen[subscriber] != 0 && finishSeen[subscriber] == 0)
            {
                finishSeen[subscriber] = timestamp;
            }
        }

        await using var held = await HeldStreams.OpenAsync(client, inflight, HoldModel, active, TimeSpan.FromSeconds(60), upstreamUrl);
        await using var watchers = await SseWatchers.ConnectAsync(client, new Uri(gatewayUrl, delta ? "metrics/active-requests/stream?mode=delta" : "metrics/active-requests/stream"), subscribers, OnEvent, CancellationToken.None);
        if (watchers is null)
        {
            notes.Add($"Watched and push-latency cases skipped: not every subscriber of `/metrics/active-requests/stream` connected ({SseWatchers.LastFailure}).");
            return null;
        }

        var (bytesBefore, eventsBefore) = (watchers.Bytes, watchers.Events);

        var startLatencies = new List<double>();
        var finishLatencies = new List<double>();
        var firstStarts = new List<double>();
        var firstFinishes = new List<double>();
        for (var i = 0; i < probes; i++)
        {
            var model = $"probe-{i}";
            Array.Clear(startSeen);
            Array.Clear(finishSeen);
            Volatile.Write(ref token, System.Text.Encoding.UTF8.GetBytes($"\"{model}\""));
            Volatile.Write(ref phase, 1);
            var t0 = Stopwatch.GetTimestamp();
            await using var probe = await HeldStreams.OpenAsync(client, inflight, model, 1, TimeSpan.FromSeconds(10), upstreamUrl);
            await WaitAllAsync(startSeen, TimeSpan.FromSeconds(3));

            // Changes closer together than the hub's coalescing window (50 ms) share a frame by design, which
            // would measure the window rather than the push; space the probe's finish from its start.
            var sinceStart = Stopwatch.GetElapsedTime(t0);
            if (sinceStart < ProbeSpacing)
            {
                await Task.Delay(ProbeSpacing - sinceStart);
            }

            Volatile.Write(ref phase, 2);
            var t1 = Stopwatch.GetTimestamp();
            using (var release = new HttpRequestMessage(HttpMethod.Post, new Uri(upstreamUrl, $"release?model={model}")))
            {
                using var released = await client.SendAsync(release);
            }

            await WaitAllAsync(finishSeen, TimeSpan.FromSeconds(3));
            Volatile.Write(ref phase, 0);
            var starts = startSeen.Where(s => s != 0).Select(s => Stopwatch.GetElapsedTime(t0, s).TotalMilliseconds).ToList();
            var finishes = finishSeen.Where(s => s != 0).Select(s => Stopwatch.GetElapsedTime(t1, s).TotalMilliseconds).ToList();
            startLatencies.AddRange(starts);
            finishLatencies.AddRange(finishes);
            if (starts.Count > 0)
            {
                firstStarts.Add(starts.Min());
            }

            if (finishes.Count > 0)
            {
                firstFinishes.Add(finishes.Min());
            }

            await Task.Delay(ProbeSpacing);
        }

        var bytesPerEvent = (watchers.Bytes - bytesBefore) / (double)Math.Max(1, watchers.Events - eventsBefore);
        var result = new PushResult(delta ? "delta" : "update", bytesPerEvent, subscribers, held.Count, probes, startLatencies.Count, finishLatencies.Count,
            Stats.Percentile(startLatencies, 50), Stats.Percentile(startLatencies, 99),
            Stats.Percentile(finishLatencies, 50), Stats.Percentile(finishLatencies, 99),
            Stats.Percentile(firstStarts, 50), Stats.Percentile(firstFinishes, 50));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"push latency ({result.Mode}, {bytesPerEvent / 1024:F1} KB per event): {subscribers} subscribers, {held.Count} active: start p50 {result.StartP50Ms:F2} p99 {result.StartP99Ms:F2} ms; finish p50 {result.FinishP50Ms:F2} p99 {result.FinishP99Ms:F2} ms; first subscriber p50 start {result.FirstStartP50Ms:F2} finish {result.FirstFinishP50Ms:F2} ms ({result.StartSeen}/{subscribers * probes} starts, {result.FinishSeen} finishes seen)"));
        return result;

        static async Task WaitAllAsync(long[] seen, TimeSpan cap)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < cap && Array.IndexOf(seen, 0L) >= 0)
            {
                await Task.Delay(1);
            }
        }
    }

    /// <summary>
    /// Runs on a gateway process of its own, so its memory is that of the held streams plus a warmed-up
    /// gateway, not what earlier cases left in pools (idle upstream connections, GC heap growth).
    /// </summary>
    private static async Task<HeldResult> RunHeldAsync(LoadOptions options, HttpClient client, TextWriter log, List<string> notes, int upstreamPort, Uri upstreamUrl)
    {
        await using var gateway = await StartGatewayAsync(options, upstreamPort, client, log);
        var inflight = new Target(Target.Inflight, gateway.Url, new Dictionary<string, string>(), static (model, _) => model)
        {
            Process = gateway.Process,
        };
        await HttpLoad.RunAsync(client, "warmup", inflight, anthropic: false, stream: true, PlainModel, options.Count(500, 4), 8, options.Cap(10));

        var requested = options.Smoke ? 20 : options.Held;
        var limit = OpenFileLimit();
        // The gateway holds two sockets per stream (client side and upstream side).
        var count = Math.Min(requested, (int)Math.Max(10, (limit - 600) / 2));
        if (count < requested)
        {
            notes.Add($"Held-streams case capped at {count} streams by the open-file limit ({limit}); bench/run.sh tries `ulimit -n 65536`, which needs a raisable hard limit.");
        }

        var rssBefore = gateway.Process.Memory().RssMb;
        var clock = Stopwatch.StartNew();
        await using var held = await HeldStreams.OpenAsync(client, inflight, HoldModel, count, TimeSpan.FromSeconds(120), upstreamUrl);
        var establish = clock.Elapsed.TotalSeconds;
        await Task.Delay(500);
        var rssHeld = gateway.Process.Memory().RssMb;

        var snapshotTimes = new List<double>();
        long snapshotBytes = 0;
        for (var i = 0; i < 5; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await GetFromGatewayAsync(client, gateway, "metrics/active-requests");
            var body = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                notes.Add("Snapshot time not measured: `/metrics/active-requests` is not on the gateway yet.");
                break;
            }

            snapshotTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            snapshotBytes = body.Length;
        }

        var result = new HeldResult(requested, held.Count, rssBefore, rssHeld, held.Count == 0 ? 0 : (rssHeld - rssBefore) * 1024 / held.Count,
            snapshotTimes.Count > 0 ? Stats.Percentile(snapshotTimes, 50) : null,
            snapshotTimes.Count > 0 ? snapshotBytes / 1024.0 : null, establish);
        if (options.PauseHeldSeconds > 0)
        {
            log.WriteLine($"holding {held.Count} streams for {options.PauseHeldSeconds} s (gateway pid {gateway.Process.Id})");
            await Task.Delay(TimeSpan.FromSeconds(options.PauseHeldSeconds));
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held streams: {held.Count}/{requested} in {establish:F1} s; gateway RSS {rssBefore:F0} -> {rssHeld:F0} MB; snapshot p50 {result.SnapshotP50Ms:F1} ms"));
        return result;
    }

    /// <summary>A GET to the gateway; when it cannot connect, the error says whether the gateway process is gone and what it last printed.</summary>
    private static async Task<HttpResponseMessage> GetFromGatewayAsync(HttpClient client, GatewayProcess gateway, string path)
    {
        try
        {
            return await client.GetAsync(new Uri(gateway.Url, path));
        }
        catch (HttpRequestException ex)
        {
            var state = gateway.Process.HasExited ? "has exited" : "is still running";
            throw new InvalidOperationException($"GET {path} failed ({ex.Message}); the gateway process (pid {gateway.Process.Id}) {state}. Its last output:\n{gateway.Process.RecentOutput}", ex);
        }
    }

    private static long OpenFileLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? long.MaxValue : long.Parse(soft, CultureInfo.InvariantCulture);
            }
        }

        return 1024;
    }

    internal sealed record UpstreamProcess(ChildProcess Process, int Port) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    /// <param name="HistoryDirectory">The folder of the gateway's own history file, deleted with it (null: none made).</param>
    internal sealed record GatewayProcess(ChildProcess Process, Uri Url, string? HistoryDirectory = null) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Process.DisposeAsync();
            if (HistoryDirectory is not null)
            {
                Directory.Delete(HistoryDirectory, recursive: true);
            }
        }
    }

    internal static async Task<UpstreamProcess> StartUpstreamAsync(TextWriter log)
    {
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var self = typeof(LoadDriver).Assembly.Location;
        var process = ChildProcess.Start("fake upstream", "dotnet", [self, "upstream"], new Dictionary<string, string>
        {
            ["DOTNET_TieredPGO"] = "1",
        }, onLine: line =>
        {
            if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                listening.TrySetResult(new Uri(line["LISTENING ".Length..]).Port);
            }
        }, stopWithStdin: true);
        try
        {
            var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            log.WriteLine($"fake upstream on 127.0.0.1:{port} (pid {process.Id})");
            return new UpstreamProcess(process, port);
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new InvalidOperationException("The fake upstream did not start:\n" + process.RecentOutput);
        }
    }

    internal static async Task<GatewayProcess> StartGatewayAsync(LoadOptions options, int upstreamPort, HttpClient client, TextWriter log)
    {
        var dll = options.GatewayPath ?? FindGateway();
        var port = ChildProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["HOST"] = "127.0.0.1",
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["OAI_API_KEY"] = "bench",
            ["OAI_BASE_URL"] = $"http://127.0.0.1:{upstreamPort}/v1",
            ["OAI_API_FORMAT"] = "openai",
            ["ANT_API_KEY"] = "bench",
            ["ANT_BASE_URL"] = $"http://127.0.0.1:{upstreamPort}/v1",
            ["ANT_API_FORMAT"] = "anthropic",
            ["VDM_DEFAULT_PROVIDER"] = "oai",
        };
        foreach (var (name, value) in options.GatewayEnvironment)
        {
            environment[name] = value;
        }

        // History stays on, as by default, but in a new file each run: the default (inflight.db in the working
        // directory) would carry every earlier run's rows into this one, and the writer's cost grows with the file.
        string? historyDirectory = null;
        if (!environment.ContainsKey("INFLIGHT_DATABASE_URL"))
        {
            historyDirectory = Directory.CreateTempSubdirectory("inflight-bench-").FullName;
            environment["INFLIGHT_DATABASE_URL"] = "sqlite:" + Path.Combine(historyDirectory, "history.db");
        }

        var process = ChildProcess.Start("gateway", "dotnet", [dll], environment);
        var url = new Uri($"http://127.0.0.1:{port}/");
        try
        {
            await process.WaitUntilReadyAsync(client, new Uri(url, "health"), CancellationToken.None);
        }
        catch
        {
            await new GatewayProcess(process, url, historyDirectory).DisposeAsync();
            throw;
        }

        log.WriteLine($"gateway {Path.GetFileName(dll)} on {url} (pid {process.Id})");
        return new GatewayProcess(process, url, historyDirectory);
    }

    private static async Task<GatewayProcess?> StartPortkeyAsync(LoadOptions options, HttpClient client, TextWriter log, List<string> notes)
    {
        var root = BenchRepository.Root();
        var dir = Path.GetFullPath(options.PortkeyDir ?? Path.Combine(root, "bench", ".peers", "portkey"));
        var script = Path.Combine(dir, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        if (!File.Exists(script))
        {
            notes.Add($"Portkey not run: {Path.GetRelativePath(root, script)} is missing (bench/run.sh --peer portkey installs it).");
            return null;
        }

        var port = ChildProcess.FreePort();
        var wrapper = Path.Combine(root, "bench", "peers", "portkey-loopback.mjs");
        var process = ChildProcess.Start("portkey", "node", [wrapper, script, $"--port={port}", "--headless"], new Dictionary<string, string>
        {
            ["NODE_ENV"] = "production",
        });
        var url = new Uri($"http://127.0.0.1:{port}/");
        try
        {
            await process.WaitUntilReadyAsync(client, url, CancellationToken.None);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            notes.Add("Portkey did not start: " + ex.Message.Split('\n')[0]);
            await process.DisposeAsync();
            return null;
        }

        log.WriteLine($"portkey gateway on {url} (pid {process.Id})");
        return new GatewayProcess(process, url);
    }

    private static string FindGateway()
    {
        var root = BenchRepository.Root();
#if DEBUG
        string[] pivots = ["debug", "release"];
#else
        string[] pivots = ["release", "debug"];
#endif
        foreach (var pivot in pivots)
        {
            var candidate = Path.Combine(root, "artifacts", "bin", "Inflight", pivot, "Inflight.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Inflight.dll not found under artifacts/bin/Inflight; build src/Inflight first or pass --gateway.");
    }
}
