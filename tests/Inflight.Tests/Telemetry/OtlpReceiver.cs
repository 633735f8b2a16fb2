using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inflight.Tests.Telemetry;

/// <summary>
/// An in-process OTLP/HTTP collector on 127.0.0.1 (ephemeral port): accepts <c>POST /v1/traces</c> and
/// <c>POST /v1/metrics</c> in protobuf, decodes them, and lets a test await what it expects.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<ReceivedDataPoint> _points = [];
    private readonly List<string> _rawTraces = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Base URL such as <c>http://127.0.0.1:54321</c>, for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The standard variables that point a host's exporters here, exporting every few hundred milliseconds.</summary>
    public Dictionary<string, string?> ExporterSettings() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = BaseUrl.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "250",
    };

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveAsync);
        app.MapPost("/v1/metrics", receiver.ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = new Uri(address.TrimEnd('/'));
        return receiver;
    }

    /// <summary>Waits (30 s at most) for a span named <paramref name="name"/>.</summary>
    public Task<ReceivedSpan> WaitForSpanAsync(string name)
        => WaitAsync(() => _spans.FirstOrDefault(s => s.Name == name), $"a span named '{name}'", () => "spans: " + string.Join(", ", _spans.Select(s => s.Name)));

    /// <summary>Waits (30 s at most) for a data point of <paramref name="metric"/> whose attributes satisfy <paramref name="match"/>.</summary>
    public Task<ReceivedDataPoint> WaitForDataPointAsync(string metric, Func<IReadOnlyDictionary<string, object?>, bool> match)
        => WaitAsync(
            () => _points.FirstOrDefault(p => p.Metric == metric && match(p.Attributes)),
            $"a data point of '{metric}'",
            () => "metrics: " + string.Join(", ", _points.Select(p => p.Metric).Distinct()));

    /// <summary>Every trace export body received so far, as Latin-1 text (names and string values show as they are).</summary>
    public string RawTraces()
    {
        lock (_gate)
        {
            return string.Concat(_rawTraces);
        }
    }

    private async Task<T> WaitAsync<T>(Func<T?> find, string what, Func<string> seen)
        where T : class
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (find() is { } found)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"The collector received no {what} within {Deadline.TotalSeconds:0} s; {seen()}.");
                }
            }
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var traces = context.Request.Path == "/v1/traces";
        lock (_gate)
        {
            if (traces)
            {
                _spans.AddRange(OtlpProtobuf.ReadSpans(body));
                _rawTraces.Add(System.Text.Encoding.Latin1.GetString(body));
            }
            else
            {
                _points.AddRange(OtlpProtobuf.ReadDataPoints(body));
            }

            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // An empty Export*ServiceResponse: everything accepted.
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
