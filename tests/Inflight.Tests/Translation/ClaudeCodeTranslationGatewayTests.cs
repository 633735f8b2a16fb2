using System.Net;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Translation;

/// <summary>
/// The request Claude Code 2.1.332 really sends (recorded, see tests/Inflight.Protocols.Tests/Translation/Recordings)
/// through the real gateway to an OpenAI-format provider: mid-conversation system turn, 128,000 max_tokens,
/// adaptive thinking, effort, context_management — and what translation changed on the request's record.
/// </summary>
public sealed class ClaudeCodeTranslationGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string RecordedBody => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Translation", "Recordings", "claude-code-2.1.332-messages.json"));

    private static StringContent Body(string json)
    {
        var content = new StringContent(json, Encoding.UTF8, "application/json");
        content.Headers.Add("anthropic-version", "2023-06-01");
        return content;
    }

    [Fact]
    public async Task PostMessages_RecordedClaudeCodeRequestToGpt4oMini_TranslatesAndRecordsNotes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), ctx.RequestAborted);
            await FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["FAKE_ALIAS_SONNET"] = "gpt-4o-mini" });

        var call = app.Client.PostAsync("/v1/messages?beta=true", Body(RecordedBody), Ct);

        // While the request is in flight, /metrics/active-requests shows what translation changed.
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.GetActiveRequests() is [{ TranslationNotes.Count: > 0 }]);
        using (var active = JsonDocument.Parse(await app.Client.GetStringAsync("/metrics/active-requests", Ct)))
        {
            var notes = Strings(active.RootElement.GetProperty("active_requests")[0].GetProperty("translation_notes"));
            Assert.Contains("dropped: context_management", notes);
            Assert.Contains("max_tokens 128000 → 16384 (gpt-4o-mini limit)", notes);
        }

        release.SetResult();
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync(Ct);

        // Claude Code got its answer, not "400 messages: role must be 'user' or 'assistant'".
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("event: message_stop", text, StringComparison.Ordinal);
        using var sent = JsonDocument.Parse(Assert.Single(upstream.Requests).Body);
        var roles = sent.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToArray();
        Assert.Equal(["system", "user", "system"], roles);
        Assert.Equal(16384, sent.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal("gpt-4o-mini", sent.RootElement.GetProperty("model").GetString());
        Assert.False(sent.RootElement.TryGetProperty("context_management", out _));

        await PassThroughTests.FinishedRequestAsync(app);
        using var logs = JsonDocument.Parse(await app.Client.GetStringAsync("/metrics/logs", Ct));
        var logged = Strings(logs.RootElement.GetProperty("recent_requests")[0].GetProperty("translation_notes"));
        Assert.Contains("dropped: context_management", logged);
        Assert.Contains("dropped: effort medium (gpt-4o-mini takes no reasoning_effort)", logged);
    }

    [Fact]
    public async Task PostMessages_ProviderMaxOutputTokens_ClampsTheTranslatedRequest()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["FAKE_ALIAS_SONNET"] = "my-local-model", ["FAKE_MAX_OUTPUT_TOKENS"] = "8000" });

        using var response = await app.Client.PostAsync("/v1/messages", Body(RecordedBody), Ct);
        await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var sent = JsonDocument.Parse(Assert.Single(upstream.Requests).Body);
        Assert.Equal(8000, sent.RootElement.GetProperty("max_tokens").GetInt32());
    }

    [Theory]
    [InlineData("openai", """{"model":"m","max_tokens":10,"thinking":"adaptive","messages":[{"role":"user","content":"hi"}]}""", "thinking")]
    [InlineData("openai", """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}]}]}""", "messages.0.content.0.source")]
    [InlineData("openai", """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"messages":[]}""", "JSON")]
    [InlineData("anthropic", """{"model":"m","max_tokens":10,"messages":[{"role":5,"content":"hi"}]}""", "messages.0.role")]
    public async Task PostMessages_BadShape_Is400InAnthropicFormatAndCounted(string upstreamFormat, string body, string named)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat);

        using var response = await app.Client.PostAsync("/v1/messages", Body(body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(named, error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
        var logged = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal(400, logged.StatusCode);
        Assert.Equal(1, app.Tracker.GetRunningTotals().Summary.TotalErrors);
    }

    [Fact]
    public async Task PostCountTokens_AgreesWithMessagesOnWhatIsValid()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var counted = await app.Client.PostAsync("/v1/messages/count_tokens", Body(RecordedBody), Ct);
        using var badRole = await app.Client.PostAsync("/v1/messages/count_tokens", Body("""{"model":"m","messages":[{"role":"tool","content":"hi"}]}"""), Ct);
        using var urlPdf = await app.Client.PostAsync("/v1/messages/count_tokens", Body("""{"model":"m","messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}]}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        using var count = JsonDocument.Parse(await counted.Content.ReadAsStringAsync(Ct));
        Assert.True(count.RootElement.GetProperty("input_tokens").GetInt32() > 5000);
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.Contains("messages.0.role", await badRole.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, urlPdf.StatusCode);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostMessages_RecordedClaudeCodeRequestToAnthropicUpstream_PassesThroughWithTheSystemTurn()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.AnthropicStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true") { Content = Body(RecordedBody) };
        request.Headers.TryAddWithoutValidation("anthropic-beta", "claude-code-20250219,context-management-2025-06-27,effort-2025-11-24");
        using var response = await app.Client.SendAsync(request, Ct);
        await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(upstream.Requests);
        Assert.Contains("\"role\":\"system\"", received.Body, StringComparison.Ordinal);
        Assert.Contains("\"context_management\"", received.Body, StringComparison.Ordinal);
        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Empty(logged.TranslationNotes);
    }

    private static List<string?> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];
}
