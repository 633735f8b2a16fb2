using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>Bodies that used to crash into an uncounted 500: each is a 400 in the client's format, recorded, never sent upstream.</summary>
public sealed class MalformedBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    // A number where a string belongs.
    [InlineData("/v1/chat/completions", "openai", """{"model":"m","messages":[{"role":1,"content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", "anthropic", """{"model":"m","messages":[{"role":1,"content":"hi"}]}""")]
    [InlineData("/v1/messages", "anthropic", """{"model":"m","max_tokens":5,"messages":[{"role":1,"content":"hi"}]}""")]
    [InlineData("/v1/messages", "openai", """{"model":"m","max_tokens":5,"messages":[{"role":1,"content":"hi"}]}""")]
    [InlineData("/v1/messages", "anthropic", """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":1,"text":"x"}]}]}""")]
    [InlineData("/v1/messages", "openai", """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":1,"text":"x"}]}]}""")]
    [InlineData("/v1/chat/completions", "anthropic", """{"model":"m","messages":[{"role":"user","content":[{"type":1,"text":"x"}]}]}""")]
    // A lone surrogate or a 0xFF byte in the model.
    [InlineData("/v1/messages", "anthropic", """{"model":"\ud800","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/messages", "openai", """{"model":"\ud800","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", "openai", """{"model":"m<FF>","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", "anthropic", """{"model":"m<FF>","messages":[{"role":"user","content":"hi"}]}""")]
    // Invalid UTF-8 or a lone surrogate in content on a translated route.
    [InlineData("/v1/messages", "openai", """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"caf<FF>"}]}""")]
    [InlineData("/v1/chat/completions", "anthropic", """{"model":"m","messages":[{"role":"user","content":"caf<FF>"}]}""")]
    [InlineData("/v1/messages", "openai", """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x\udc00y"}]}""")]
    [InlineData("/v1/chat/completions", "anthropic", """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x\ud834"}]}]}""")]
    // A duplicate key on a translated route.
    [InlineData("/v1/messages", "openai", """{"model":"m","model":"n","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", "anthropic", """{"model":"m","messages":[{"role":"user","role":"user","content":"hi"}]}""")]
    public async Task Post_BodyThatUsedToCrash_Returns400InClientFormatAndIsRecorded(string path, string upstreamFormat, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat);

        using var response = await app.Client.PostAsync(path, RawJson(body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        FaultTests.AssertErrorShape(path, await response.Content.ReadAsStringAsync(Ct), "invalid_request_error");
        Assert.Empty(upstream.Requests);
        var error = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal("bad_request", error.ErrorType);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(1, app.Tracker.GetRunningTotals().Summary.TotalErrors);
    }

    [Theory]
    [InlineData("/v1/messages", "anthropic", """{"model":"a","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"model":"b"}""", "model")]
    [InlineData("/v1/messages", "openai", """{"model":"a","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"model":"b"}""", "model")]
    [InlineData("/v1/chat/completions", "openai", """{"model":"a","messages":[{"role":"user","content":"hi"}],"model":"b"}""", "model")]
    [InlineData("/v1/chat/completions", "openai", """{"model":"a","stream":false,"messages":[{"role":"user","content":"hi"}],"stream":true}""", "stream")]
    [InlineData("/v1/messages", "anthropic", """{"model":"a","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"hi"}],"stream":false}""", "stream")]
    [InlineData("/v1/messages/count_tokens", "anthropic", """{"model":"a","messages":[{"role":"user","content":"hi"}],"model":"b"}""", "model")]
    public async Task Post_DuplicateTopLevelKey_Returns400NamingTheKey(string path, string upstreamFormat, string body, string key)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat, new() { ["FAKE_ALIAS_A"] = "aliased-model" });

        using var response = await app.Client.PostAsync(path, RawJson(body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        FaultTests.AssertErrorShape(path, text, "invalid_request_error");
        Assert.Contains($"'{key}'", ErrorMessage(text), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("/v1/messages/count_tokens", "anthropic", """{"model":"\ud800","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/messages/count_tokens", "openai", """{"model":"m","messages":[{"role":"user","content":[{"type":1}]}]}""")]
    [InlineData("/v1/messages/count_tokens", "openai", """{"model":"m","messages":[{"role":"user","content":"caf<FF>"}]}""")]
    public async Task PostCountTokens_BodyThatUsedToCrash_Returns400InAnthropicFormat(string path, string upstreamFormat, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat);

        using var response = await app.Client.PostAsync(path, RawJson(body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        FaultTests.AssertErrorShape(path, await response.Content.ReadAsStringAsync(Ct), "invalid_request_error");
        Assert.Empty(upstream.Requests);
    }

    internal static string ErrorMessage(string errorBody)
    {
        using var json = System.Text.Json.JsonDocument.Parse(errorBody);
        return json.RootElement.GetProperty("error").GetProperty("message").GetString()!;
    }

    /// <summary>JSON text whose <c>&lt;FF&gt;</c> markers become raw 0xFF bytes (invalid UTF-8).</summary>
    internal static ByteArrayContent RawJson(string body)
    {
        var parts = body.Split("<FF>");
        var bytes = new List<byte>();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                bytes.Add(0xFF);
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(parts[i]));
        }

        var content = new ByteArrayContent([.. bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
