using System.Collections.Concurrent;
using System.Text;
using Inflight.Metrics;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inflight.Tests.Metrics;

/// <summary>
/// The content peek (VDM_CAPTURE_CONTENT): shown by the detail endpoint while a request is active, in the text the
/// client reads, for every upstream format; never in the snapshot, the SSE stream, the logs or the gateway's log;
/// gone when the request ends; and nothing at all kept when it is off (the default).
/// </summary>
public sealed class ContentCaptureTests
{
    private const string Prompt = "PEEK-PROMPT-7f3 list the files";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Client format, upstream format: pass-through for each format and two translated streams.</summary>
    [Theory]
    [InlineData("anthropic", "anthropic")]
    [InlineData("openai", "openai")]
    [InlineData("responses", "responses")]
    [InlineData("anthropic", "openai")]
    [InlineData("responses", "anthropic")]
    public async Task CaptureOn_ActiveStream_DetailShowsAnswerTailAndPromptThenDropsThem(string clientFormat, string upstreamFormat)
    {
        var (events, shownBeforeRelease, expectedText) = StreamFor(upstreamFormat);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, events, i => i == shownBeforeRelease ? release.Task : Task.CompletedTask));
        var logs = new TextLogCapture();
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat, new() { ["VDM_CAPTURE_CONTENT"] = "true" }, logs.Register);
        await using var watcher = await SseTestStream.OpenAsync(app.Client, path: "/metrics/active-requests/stream?mode=delta");

        // The snapshot first: a request started before the watcher's snapshot is in it and gets no request-start.
        Assert.Equal("snapshot", (await watcher.NextAsync()).EventType);

        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, PathOf(clientFormat)) { Content = PassThroughTests.JsonBody(RequestWithPrompt(clientFormat), stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        var id = Assert.Single(response.Headers.GetValues("x-inflight-request-id"));
        var capture = app.Services.GetRequiredService<ContentCapture>();
        await WaitForOutputAsync(app, id, expectedText);
        await watcher.WaitForAsync(e => e.EventType == "request-start" && e.Data.Contains(id, StringComparison.Ordinal));

        using (var detail = await RequestControlTests.GetJsonAsync(app, $"/metrics/active-requests/{id}"))
        {
            var content = detail.RootElement.GetProperty("content");
            Assert.Equal(expectedText, content.GetProperty("output_tail").GetString());
            Assert.Equal(Encoding.UTF8.GetByteCount(expectedText), content.GetProperty("output_bytes").GetInt64());
            Assert.Equal(Prompt, content.GetProperty("last_user_message").GetString());
        }

        // Not in the snapshot, which the SSE stream and its snapshots are made of.
        var snapshot = await app.Client.GetStringAsync("/metrics/active-requests", Ct);
        Assert.DoesNotContain("PEEK-PROMPT", snapshot, StringComparison.Ordinal);
        Assert.DoesNotContain(expectedText, snapshot, StringComparison.Ordinal);

        release.SetResult();
        var answer = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains(expectedText[..5], answer, StringComparison.Ordinal);
        await RequestControlTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);

        // Ended: freed, and the finished record shows no content.
        Assert.Equal(0, capture.Count);
        using (var finished = await RequestControlTests.GetJsonAsync(app, $"/metrics/active-requests/{id}"))
        {
            Assert.Equal("finished", finished.RootElement.GetProperty("state").GetString());
            Assert.False(finished.RootElement.TryGetProperty("content", out _));
        }

        var end = await watcher.WaitForAsync(e => e.EventType == "request-end" && e.Data.Contains(id, StringComparison.Ordinal));
        var everything = string.Join('\n', watcher.Received.Select(e => e.Data)) + await app.Client.GetStringAsync("/metrics/logs", Ct) + logs.Text;
        Assert.DoesNotContain("PEEK-PROMPT", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(expectedText, everything, StringComparison.Ordinal);
        Assert.Equal("request-end", end.EventType);
    }

    [Fact]
    public async Task CaptureOff_ActiveStream_NoContentAnywhere()
    {
        var (events, shownBeforeRelease, expectedText) = StreamFor("anthropic");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, events, i => i == shownBeforeRelease ? release.Task : Task.CompletedTask));
        var logs = new TextLogCapture();
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", services: logs.Register);
        await using var watcher = await SseTestStream.OpenAsync(app.Client, path: "/metrics/active-requests/stream?mode=delta");

        // The snapshot first: a request started before the watcher's snapshot is in it and gets no request-start.
        Assert.Equal("snapshot", (await watcher.NextAsync()).EventType);

        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(RequestWithPrompt("anthropic"), stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        var id = Assert.Single(response.Headers.GetValues("x-inflight-request-id"));
        await RequestControlTests.WaitUntilAsync(app.Tracker, () => app.Tracker.GetActiveRequests().Any(r => r.RequestId == id && r.OutputTokens > 0));
        await watcher.WaitForAsync(e => e.EventType == "request-start" && e.Data.Contains(id, StringComparison.Ordinal));
        var capture = app.Services.GetRequiredService<ContentCapture>();

        Assert.False(capture.IsEnabled);
        Assert.Equal(0, capture.Count);
        using (var detail = await RequestControlTests.GetJsonAsync(app, $"/metrics/active-requests/{id}"))
        {
            Assert.Equal("active", detail.RootElement.GetProperty("state").GetString());
            Assert.False(detail.RootElement.TryGetProperty("content", out _));
            Assert.DoesNotContain("PEEK-PROMPT", detail.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        var snapshot = await app.Client.GetStringAsync("/metrics/active-requests", Ct);
        release.SetResult();
        _ = await response.Content.ReadAsStringAsync(Ct);
        await watcher.WaitForAsync(e => e.EventType == "request-end" && e.Data.Contains(id, StringComparison.Ordinal));
        using var finished = await RequestControlTests.GetJsonAsync(app, $"/metrics/active-requests/{id}");

        var everything = snapshot + string.Join('\n', watcher.Received.Select(e => e.Data)) + await app.Client.GetStringAsync("/metrics/logs", Ct)
            + finished.RootElement.GetRawText() + logs.Text;
        Assert.DoesNotContain("PEEK-PROMPT", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(expectedText, everything, StringComparison.Ordinal);
        Assert.False(finished.RootElement.TryGetProperty("content", out _));
    }

    private static string PathOf(string format) => format switch { "anthropic" => "/v1/messages", "responses" => "/v1/responses", _ => "/v1/chat/completions" };

    /// <summary>A conversation whose last user message is <see cref="Prompt"/> (an earlier user turn says something else).</summary>
    private static string RequestWithPrompt(string format) => format switch
    {
        "anthropic" => $$"""{"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"earlier turn"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"{{Prompt}}"}]}]}""",
        "responses" => $$"""{"model":"gpt-5.1-codex","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"earlier turn"}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"{{Prompt}}"}]}]}""",
        _ => $$"""{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"{{Prompt}}"}]}""",
    };

    /// <summary>The upstream's events, the index the upstream pauses before, and the answer text sent before it.</summary>
    private static (string[] Events, int PauseBefore, string Text) StreamFor(string upstreamFormat) => upstreamFormat switch
    {
        "anthropic" => (ProviderRecordings.AnthropicStreamEvents, 5, "Hello! How can I help?"),
        "responses" => (ResponsesRecordings.StreamEvents, 6, "Running the command you asked for."),
        _ => (ProviderRecordings.OpenAIStreamEvents, 3, "Hello! How can I help?"),
    };

    private static async Task WaitForOutputAsync(GatewayApp app, string id, string expected)
    {
        var capture = app.Services.GetRequiredService<ContentCapture>();
        await RequestControlTests.WaitUntilAsync(app.Tracker, () => capture.Find(id)?.ReadOutput().Tail == expected);
    }

    /// <summary>Every message the host logs, at every level, as text.</summary>
    private sealed class TextLogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public void Register(IServiceCollection services)
            => services.AddLogging(logging => logging.AddProvider(this).AddFilter<TextLogCapture>(null, LogLevel.Trace));

        public ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => lines.Enqueue(formatter(state, exception) + (state is IEnumerable<KeyValuePair<string, object?>> values ? " " + string.Join(' ', values.Select(v => v.Value)) : "") + exception);
        }
    }
}
