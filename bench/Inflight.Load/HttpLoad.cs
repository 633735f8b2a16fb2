using System.Buffers;
using System.Diagnostics;
using System.Net;

namespace Inflight.Load;

/// <summary>One measured run of a case against one target.</summary>
internal sealed record Measurement
{
    public required string Case { get; init; }
    public required string Target { get; init; }
    public int Requests { get; init; }
    public int Errors { get; init; }
    public double Seconds { get; init; }
    public double Rps { get; init; }
    public double P50Ms { get; init; }
    public double P90Ms { get; init; }
    public double P99Ms { get; init; }
    public double? TtfbP50Ms { get; init; }
    public double? GapP50Ms { get; init; }
    public double? ReadsPerResponse { get; init; }
    public double? ProxyCpuUsPerRequest { get; init; }
    public double? ProxyCores { get; init; }
    public double? ProxyRssMb { get; init; }
    public string? FirstError { get; init; }
}

/// <summary>Closed-loop load: <c>concurrency</c> workers each send one request after another until the count or the time cap is reached.</summary>
internal static class HttpLoad
{
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// Open loop: requests start on a fixed schedule (<paramref name="rate"/> per second) whatever the answers
    /// do, and each latency counts from its scheduled start, so a stall is not hidden by the loop waiting on it.
    /// This is the figure to compare with published "added latency at N RPS"; the closed-loop cases saturate
    /// the machine and measure throughput.
    /// </summary>
    public static async Task<Measurement> RunAtRateAsync(HttpClient client, string caseName, Target target, bool anthropic, string model, int rate, int count, TimeSpan cap)
    {
        const int MaxInFlight = 1_024;
        var body = target.Body(anthropic, stream: false, model);
        var latencies = new double[count];
        var errors = 0;
        string? firstError = null;
        var inFlight = new SemaphoreSlim(MaxInFlight);
        var cpuBefore = target.Process?.CpuTime();
        var clock = Stopwatch.StartNew();
        var begin = Stopwatch.GetTimestamp();
        var tasks = new List<Task>(count);
        var sent = 0;
        for (; sent < count && clock.Elapsed < cap; sent++)
        {
            var scheduled = begin + (long)(sent * (double)Stopwatch.Frequency / rate);
            while (Stopwatch.GetTimestamp() < scheduled)
            {
                var ahead = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
                if (ahead > TimeSpan.FromMilliseconds(2))
                {
                    await Task.Delay(1);
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }

            await inFlight.WaitAsync();
            var index = sent;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var request = target.Request(anthropic, body);
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new HttpRequestException($"status {(int)response.StatusCode}");
                    }

                    latencies[index] = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                    latencies[index] = double.NaN;
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }

        await Task.WhenAll(tasks);
        clock.Stop();
        var ok = latencies.Take(sent).Where(l => !double.IsNaN(l) && l > 0).ToList();
        var cpu = target.Process is { } process ? process.CpuTime() - cpuBefore!.Value : (TimeSpan?)null;
        var seconds = clock.Elapsed.TotalSeconds;
        return new Measurement
        {
            Case = caseName,
            Target = target.Name,
            Requests = ok.Count,
            Errors = errors,
            Seconds = seconds,
            Rps = ok.Count / seconds,
            P50Ms = Stats.Percentile(ok, 50),
            P90Ms = Stats.Percentile(ok, 90),
            P99Ms = Stats.Percentile(ok, 99),
            ProxyCpuUsPerRequest = cpu is { } c && ok.Count > 0 ? c.TotalMilliseconds * 1000 / ok.Count : null,
            ProxyCores = cpu is { } c2 ? c2.TotalSeconds / seconds : null,
            ProxyRssMb = target.Process?.Memory().RssMb,
            FirstError = firstError,
        };
    }

    /// <param name="nextBody">Gives each request's body (the tiny body of <paramref name="model"/> when null).</param>
    public static async Task<Measurement> RunAsync(HttpClient client, string caseName, Target target, bool anthropic, bool stream, string model, int count, int concurrency, TimeSpan cap, Func<byte[]>? nextBody = null)
    {
        var body = target.Body(anthropic, stream, model);
        var latencies = new double[count];
        var ttfbs = stream ? new double[count] : null;
        var gaps = stream ? new double[count] : null;
        var reads = stream ? new int[count] : null;
        var issued = -1;
        var errors = 0;
        string? firstError = null;
        var cpuBefore = target.Process?.CpuTime();
        var clock = Stopwatch.StartNew();

        async Task Worker()
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            var readTimes = new List<long>(64);
            try
            {
                while (clock.Elapsed < cap)
                {
                    var index = Interlocked.Increment(ref issued);
                    if (index >= count)
                    {
                        return;
                    }

                    readTimes.Clear();
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        using var request = target.Request(anthropic, nextBody?.Invoke() ?? body);
                        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                        await using var content = await response.Content.ReadAsStreamAsync();
                        int read;
                        while ((read = await content.ReadAsync(buffer)) > 0)
                        {
                            readTimes.Add(Stopwatch.GetTimestamp());
                        }

                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            throw new HttpRequestException($"status {(int)response.StatusCode}");
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, ex.Message, null);
                        latencies[index] = double.NaN;
                        continue;
                    }

                    var end = Stopwatch.GetTimestamp();
                    latencies[index] = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
                    if (stream && readTimes.Count > 0)
                    {
                        ttfbs![index] = Stopwatch.GetElapsedTime(start, readTimes[0]).TotalMilliseconds;
                        reads![index] = readTimes.Count;
                        gaps![index] = readTimes.Count > 1
                            ? Stopwatch.GetElapsedTime(readTimes[0], readTimes[^1]).TotalMilliseconds / (readTimes.Count - 1)
                            : 0;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(Worker);
        }

        await Task.WhenAll(workers);
        clock.Stop();
        var completed = Math.Min(count, issued + 1);
        var ok = new List<double>(completed);
        var okTtfb = new List<double>();
        var okGaps = new List<double>();
        long totalReads = 0;
        for (var i = 0; i < completed; i++)
        {
            if (double.IsNaN(latencies[i]) || latencies[i] == 0)
            {
                continue;
            }

            ok.Add(latencies[i]);
            if (stream)
            {
                okTtfb.Add(ttfbs![i]);
                okGaps.Add(gaps![i]);
                totalReads += reads![i];
            }
        }

        var cpu = target.Process is { } process ? process.CpuTime() - cpuBefore!.Value : (TimeSpan?)null;
        var seconds = clock.Elapsed.TotalSeconds;
        return new Measurement
        {
            Case = caseName,
            Target = target.Name,
            Requests = ok.Count,
            Errors = errors,
            Seconds = seconds,
            Rps = ok.Count / seconds,
            P50Ms = Stats.Percentile(ok, 50),
            P90Ms = Stats.Percentile(ok, 90),
            P99Ms = Stats.Percentile(ok, 99),
            TtfbP50Ms = stream ? Stats.Percentile(okTtfb, 50) : null,
            GapP50Ms = stream ? Stats.Percentile(okGaps, 50) : null,
            ReadsPerResponse = stream && ok.Count > 0 ? totalReads / (double)ok.Count : null,
            ProxyCpuUsPerRequest = cpu is { } c && ok.Count > 0 ? c.TotalMilliseconds * 1000 / ok.Count : null,
            ProxyCores = cpu is { } c2 ? c2.TotalSeconds / seconds : null,
            ProxyRssMb = target.Process?.Memory().RssMb,
            FirstError = firstError,
        };
    }
}
