using System.Net;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;
using Inflight.Tracking;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Inflight.Tests.Translation;

/// <summary>
/// Keep-alive pings of a translated Anthropic stream (OpenAI-format provider) through the real gateway: when they
/// come, that they never split an event, and that they stop, time out and cancel as the stream does.
/// </summary>
public sealed class KeepAlivePingTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_writeTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_safety = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostMessages_SilenceOfThreeIntervals_OnePingPerIntervalThenTheAnswer()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(
            (ctx, _) => FakeResponses.WriteEventsWhenAsync(ctx, release.Task, string.Concat(ProviderRecordings.OpenAIStreamEvents)));
        var clock = new RelayClock(s_writeTimeout);
        await using var app = StartGateway(upstream, clock);
        // The first ping also carries the response's headers to the client.
        var (response, client) = await StartSilentStreamAsync(app, clock);
        using var disposeResponse = response;

        for (var ping = 2; ping <= 3; ping++)
        {
            await RelayClock.UntilAsync(() => clock.RelayWaiting);
            clock.Advance(s_interval);
            await client.ReadUntilAsync(line => line == "event: ping");
        }

        release.SetResult();
        await client.ReadToEndAsync();

        var events = client.Seen.Where(l => l.StartsWith("event:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["event: message_start", "event: ping", "event: ping", "event: ping", "event: content_block_start"], events[..5]);
        Assert.Equal(3, events.Count(e => e == "event: ping"));
        Assert.Equal("event: message_stop", events[^1]);
    }

    [Fact]
    public async Task PostMessages_ChunksArrivingAsPingsFall_ClientStreamParsesEventByEvent()
    {
        const int Words = 60;
        var clientSawPing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await WriteChunkAsync(ctx, """{"role":"assistant","content":""}""", "null");
            // One ping certainly falls mid-stream; the rest race the chunks, which come about a ping interval apart.
            await clientSawPing.Task.WaitAsync(s_safety, ctx.RequestAborted);
            for (var i = 0; i < Words; i++)
            {
                await WriteChunkAsync(ctx, $$"""{"content":"w{{i}} "}""", "null");
                await Task.Delay(i % 2, ctx.RequestAborted);
            }

            await WriteChunkAsync(ctx, "{}", "\"stop\"");
            await ctx.Response.WriteAsync("data: [DONE]\n\n", ctx.RequestAborted);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["STREAM_PING_INTERVAL"] = "0.001" });
        using var response = await SendMessagesAsync(app);

        var types = new List<string>();
        var text = new StringBuilder();
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(Ct))
        {
            // Each event whole: its data is one JSON object whose type is the event's name.
            using var data = JsonDocument.Parse(item.Data);
            Assert.Equal(item.EventType, data.RootElement.GetProperty("type").GetString());
            types.Add(item.EventType);
            if (item.EventType == "ping")
            {
                clientSawPing.TrySetResult();
            }
            else if (item.EventType == "content_block_delta")
            {
                text.Append(data.RootElement.GetProperty("delta").GetProperty("text").GetString());
            }
        }

        Assert.Equal(string.Concat(Enumerable.Range(0, Words).Select(i => $"w{i} ")), text.ToString());
        Assert.Contains("ping", types);
        Assert.Equal("message_stop", types[^1]);
        Assert.Equal(1, types.Count(t => t == "message_stop"));
    }

    [Fact]
    public async Task PostMessages_UpstreamSilentAfterItsLastChunk_NoPingAfterMessageStop()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            // A provider that sends [DONE] but keeps the connection open a while.
            await FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents);
            await release.Task.WaitAsync(s_safety, ctx.RequestAborted);
        });
        var clock = new RelayClock(s_writeTimeout);
        await using var app = StartGateway(upstream, clock);
        using var response = await SendMessagesAsync(app);
        var client = ClientLines.Start(response);

        await client.ReadUntilAsync(line => line == "event: message_stop");
        for (var i = 0; i < 2; i++)
        {
            await RelayClock.UntilAsync(() => clock.RelayWaiting);
            clock.Advance(s_interval);
        }

        release.SetResult();
        await client.ReadToEndAsync();

        var stop = client.Seen.IndexOf("event: message_stop");
        Assert.DoesNotContain("event: ping", client.Seen.Skip(stop));
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);
        Assert.Empty(app.Tracker.GetRecentErrors());
        await RelayClock.UntilAsync(() => clock.KeepAliveTimersDisposed);
    }

    [Fact]
    public async Task PostMessages_ClientStopsReadingDuringPings_RecordsClientTimeoutAndClosesUpstream()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await StartSilentUpstreamAsync(upstreamAborted);
        var clock = new RelayClock(s_writeTimeout);
        await using var app = StartGateway(upstream, clock);

        // A client that sends its request and never reads: a small receive window fills with pings soon.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, app.BaseAddress.Port, Ct);
        var body = await PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true).ReadAsByteArrayAsync(Ct);
        var head = Encoding.ASCII.GetBytes($"POST /v1/messages HTTP/1.1\r\nHost: {app.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        await socket.SendAsync(head.Concat(body).ToArray(), SocketFlags.None, Ct);

        await RelayClock.UntilAsync(() => clock.RelayWaiting);
        // Each interval a ping; once a flush is stuck, CLIENT_WRITE_TIMEOUT. Bounded: a few MB of pings at most.
        for (var advances = 0; app.Tracker.ActiveCount > 0; advances++)
        {
            Assert.True(advances < 1_000_000, "The client's buffers never filled.");
            await RelayClock.UntilAsync(() => clock.RelayWaiting || clock.ClientWriteStuck || app.Tracker.ActiveCount == 0);
            clock.Advance(clock.ClientWriteStuck ? s_writeTimeout : s_interval);
        }

        await upstreamAborted.Task.WaitAsync(s_safety, Ct);
        var error = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal(ErrorTypes.ClientTimeout, error.ErrorType);
        await RelayClock.UntilAsync(() => clock.KeepAliveTimersDisposed);
    }

    [Fact]
    public async Task PostMessages_OperatorCancelsDuringSilence_ClientGetsTheErrorEventAndNoMorePings()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await StartSilentUpstreamAsync(upstreamAborted);
        var clock = new RelayClock(s_writeTimeout);
        await using var app = StartGateway(upstream, clock);
        var (response, client) = await StartSilentStreamAsync(app, clock);
        using var disposeResponse = response;

        var id = app.Tracker.GetActiveRequests()[0].RequestId;
        using var cancel = await app.Client.PostAsync($"/metrics/active-requests/{id}/cancel", null, Ct);
        await client.ReadToEndAsync();

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await upstreamAborted.Task.WaitAsync(s_safety, Ct);
        var events = client.Seen.Where(l => l.StartsWith("event:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["event: message_start", "event: ping", "event: error"], events);
        Assert.Contains("cancelled by an operator", client.Seen.Last(l => l.StartsWith("data:", StringComparison.Ordinal)), StringComparison.Ordinal);
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);
        Assert.Equal(ErrorTypes.Cancelled, Assert.Single(app.Tracker.GetRecentErrors()).ErrorType);
        await RelayClock.UntilAsync(() => clock.KeepAliveTimersDisposed);
    }

    /// <summary>A gateway on <paramref name="clock"/>: pings every 5 s of fake time, the idle limit far beyond any test.</summary>
    private static GatewayApp StartGateway(FakeUpstream upstream, RelayClock clock)
        => GatewayApp.StartWithUpstream(
            upstream,
            "openai",
            new()
            {
                ["STREAM_PING_INTERVAL"] = "5",
                ["CLIENT_WRITE_TIMEOUT"] = "30",
                ["REQUEST_TIMEOUT"] = "4000000",
            },
            services => services.AddSingleton<TimeProvider>(clock));

    /// <summary>
    /// Sends a streaming request to an upstream that stays silent, and brings the first ping: the gateway's
    /// headers go out with it, so the client's call returns only then.
    /// </summary>
    private static async Task<(HttpResponseMessage Response, ClientLines Client)> StartSilentStreamAsync(GatewayApp app, RelayClock clock)
    {
        var sending = SendMessagesAsync(app);
        await RelayClock.UntilAsync(() => clock.RelayWaiting);
        clock.Advance(s_interval);
        var response = await sending.WaitAsync(s_safety, Ct);
        var client = ClientLines.Start(response);
        await client.ReadUntilAsync(line => line == "event: ping");
        return (response, client);
    }

    private static Task<HttpResponseMessage> SendMessagesAsync(GatewayApp app)
        => app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);

    private static async Task WriteChunkAsync(HttpContext context, string delta, string finishReason)
    {
        await context.Response.WriteAsync(
            $$"""data: {"id":"chatcmpl-race","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finishReason}}}]}""" + "\n\n",
            context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>The client's side of a stream, read line by line in the background; the test consumes the lines in order.</summary>
    private sealed class ClientLines
    {
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

        public List<string> Seen { get; } = [];

        public static ClientLines Start(HttpResponseMessage response)
        {
            var client = new ClientLines();
            _ = client.PumpAsync(response);
            return client;
        }

        public async Task ReadUntilAsync(Func<string, bool> match)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(s_safety);
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                Seen.Add(line);
                if (match(line))
                {
                    return;
                }
            }
        }

        public async Task ReadToEndAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(s_safety);
            await foreach (var line in _lines.Reader.ReadAllAsync(timeout.Token))
            {
                Seen.Add(line);
            }
        }

        private async Task PumpAsync(HttpResponseMessage response)
        {
            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
                while (await reader.ReadLineAsync(Ct) is { } line)
                {
                    _lines.Writer.TryWrite(line);
                }

                _lines.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                _lines.Writer.TryComplete(ex);
            }
        }
    }

    /// <summary>A provider that starts a stream and then says nothing until the gateway closes the request (then <paramref name="aborted"/>).</summary>
    private static Task<FakeUpstream> StartSilentUpstreamAsync(TaskCompletionSource aborted)
        => FakeUpstream.StartAsync(async (ctx, _) =>
        {
            ctx.RequestAborted.Register(() => aborted.TrySetResult());
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(static _ => { }, TaskScheduler.Default);
        });
}
