using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inflight.Testing;

/// <summary>
/// A fake LLM provider: real Kestrel on 127.0.0.1 with an ephemeral port, so responses stream over
/// real sockets. Each test supplies the handler; received requests are recorded for assertions.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Base URL such as <c>http://127.0.0.1:54321</c> (no trailing slash).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests received, in order (method, path, headers, body).</summary>
    public List<RecordedRequest> Requests { get; } = [];

    public static async Task<FakeUpstream> StartAsync(Func<HttpContext, RecordedRequest, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new FakeUpstream(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var recorded = new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body,
                context.RequestAborted);
            lock (upstream.Requests)
            {
                upstream.Requests.Add(recorded);
            }

            await handler(context, recorded);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseUrl = new Uri(address.TrimEnd('/'));
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>A request the fake upstream received.</summary>
/// <param name="Aborted">Fires when the caller (the gateway) abandons the request.</param>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body, CancellationToken Aborted);

/// <summary>Helpers for fake upstream handlers.</summary>
public static class FakeResponses
{
    public static async Task WriteJsonAsync(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>
    /// A model thinking before its first token: the SSE headers go at once, <paramref name="events"/> only once
    /// <paramref name="release"/> completes (30 s at the most, a safety net).
    /// </summary>
    public static async Task WriteEventsWhenAsync(HttpContext context, Task release, string events)
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.FlushAsync(context.RequestAborted);
        await release.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted);
        await context.Response.WriteAsync(events, context.RequestAborted);
    }

    /// <summary>Streams SSE events one flush each; <paramref name="beforeEvent"/> can hold any event back.</summary>
    public static async Task WriteEventsAsync(HttpContext context, IEnumerable<string> events, Func<int, Task>? beforeEvent = null)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var index = 0;
        foreach (var item in events)
        {
            if (beforeEvent is not null)
            {
                await beforeEvent(index);
            }

            await context.Response.WriteAsync(item, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            index++;
        }
    }
}
