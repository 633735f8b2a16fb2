using System.Buffers;
using System.Net.Http.Headers;
using Inflight.Configuration;
using Inflight.Protocols;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Inflight.Demo;

/// <summary>
/// In demo mode, sends a steady, varied stream of requests through the gateway's own HTTP endpoints
/// (over loopback, like any client), so the dashboard shows live traffic with no client attached.
/// Requests start at random (Poisson) intervals averaging <c>DEMO_TRAFFIC_RPS</c>, at most
/// <c>DEMO_TRAFFIC_MAX_CONCURRENCY</c> at once; every response is read to the end. Failures are
/// logged at debug level and never stop the generator or the host.
/// </summary>
internal sealed partial class DemoTrafficGenerator(
    IOptions<GatewayOptions> gatewayOptions,
    IOptions<DemoOptions> demoOptions,
    IHostApplicationLifetime lifetime,
    IServer server,
    DemoTrafficStats stats,
    TimeProvider timeProvider,
    ILogger<DemoTrafficGenerator> logger) : BackgroundService
{
    /// <summary>Longest a single generated request may take before it is abandoned.</summary>
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var gateway = gatewayOptions.Value;
        var demo = demoOptions.Value;
        if (!gateway.DemoMode || !demo.Traffic)
        {
            return;
        }

        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        var baseAddress = FindBaseAddress(server);
        if (baseAddress is null)
        {
            // In-memory test servers have no address: nothing to send to.
            Log.NoAddress(logger);
            return;
        }

        Log.Started(logger, baseAddress, demo.TrafficRequestsPerSecond, demo.TrafficMaxConcurrency);
        using var handler = new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var mix = new DemoTrafficMix(new Random(), string.Equals(gateway.DefaultProvider, GatewayOptions.DemoProviderName, StringComparison.OrdinalIgnoreCase));
        var slots = new SemaphoreSlim(demo.TrafficMaxConcurrency, demo.TrafficMaxConcurrency);
        var random = new Random();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Exponential gaps make arrivals a Poisson process: bursts and lulls, like real users.
                var gap = -Math.Log(1 - random.NextDouble()) / demo.TrafficRequestsPerSecond;
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(gap, 10 / demo.TrafficRequestsPerSecond)), timeProvider, stoppingToken);
                if (!slots.Wait(0, CancellationToken.None))
                {
                    stats.RecordSkipped();
                    continue;
                }

                _ = SendOneAsync(client, mix.Next(), gateway.ProxyApiKey, slots, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Let the requests in flight see the cancellation and finish before the client goes away.
            for (var i = 0; i < demo.TrafficMaxConcurrency; i++)
            {
                await slots.WaitAsync(CancellationToken.None);
            }

            slots.Dispose();
        }
    }

    private async Task SendOneAsync(HttpClient client, DemoTrafficRequest planned, string? apiKey, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var timeout = new CancellationTokenSource(s_requestTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
            using var request = CreateRequest(planned, apiKey);
            stats.RecordSent(planned.Format, planned.Streaming);

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            await using (var body = await response.Content.ReadAsStreamAsync(linked.Token))
            {
                while (await body.ReadAsync(buffer, linked.Token) > 0)
                {
                }
            }

            stats.RecordResponse(planned.Format, (int)response.StatusCode);
            Log.RequestFinished(logger, planned.Path, planned.Model, planned.Streaming, (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            stats.RecordFailure();
            Log.RequestFailed(logger, planned.Path, planned.Model, planned.Streaming, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            slots.Release();
        }
    }

    private static HttpRequestMessage CreateRequest(DemoTrafficRequest planned, string? apiKey)
    {
        var content = new ByteArrayContent(planned.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, planned.Path) { Content = content };
        if (planned.Format == ApiFormat.Anthropic)
        {
            request.Headers.Add("anthropic-version", "2023-06-01");
            if (apiKey is not null)
            {
                request.Headers.TryAddWithoutValidation("x-api-key", apiKey);
            }
        }
        else if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        request.Headers.UserAgent.ParseAdd("inflight-demo-traffic/1.0");
        return request;
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), started);
        using var onStopping = stoppingToken.Register(static s => ((TaskCompletionSource)s!).TrySetCanceled(), started);
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// The first http address the server listens on, with a wildcard host (0.0.0.0, [::], +, *) replaced
    /// by loopback: the generator is a local client and never leaves the machine.
    /// </summary>
    internal static Uri? FindBaseAddress(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null)
        {
            return null;
        }

        foreach (var address in addresses.OrderBy(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? 1 : 0))
        {
            var normalized = address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri))
            {
                continue;
            }

            var builder = new UriBuilder(uri) { Path = "/" };
            if (uri.Host is "0.0.0.0" or "[::]" or "::")
            {
                builder.Host = uri.Host == "0.0.0.0" ? "127.0.0.1" : "[::1]";
            }

            return builder.Uri;
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Demo traffic: sending about {RequestsPerSecond} requests/s (at most {MaxConcurrency} at once) to {BaseAddress}", EventName = "DemoTrafficStarted")]
        public static partial void Started(ILogger logger, Uri baseAddress, double requestsPerSecond, int maxConcurrency);

        [LoggerMessage(2, LogLevel.Debug, "Demo traffic: the server has no listen address; no traffic will be sent", EventName = "DemoTrafficNoAddress")]
        public static partial void NoAddress(ILogger logger);

        [LoggerMessage(3, LogLevel.Debug, "Demo traffic: POST {Path} model {Model} (streaming {Streaming}) answered {StatusCode}", EventName = "DemoTrafficRequestFinished")]
        public static partial void RequestFinished(ILogger logger, string path, string model, bool streaming, int statusCode);

        [LoggerMessage(4, LogLevel.Debug, "Demo traffic: POST {Path} model {Model} (streaming {Streaming}) failed", EventName = "DemoTrafficRequestFailed")]
        public static partial void RequestFailed(ILogger logger, string path, string model, bool streaming, Exception exception);
    }
}
