using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class LocalTokenCounterTests
{
    private static readonly LocalTokenCounter s_counter = LocalTokenCounter.Shared;

    [Fact]
    public void CountText_KnownString_MatchesO200k()
    {
        // "Hello, world!" is 4 tokens in o200k_base: "Hello", ",", " world", "!".
        Assert.Equal(4, s_counter.CountText("Hello, world!"));
        Assert.Equal(0, s_counter.CountText(""));
    }

    [Fact]
    public void CountTokensResponse_SimpleRequest_ReturnsInputTokensObject()
    {
        var body = """{"model":"claude","messages":[{"role":"user","content":"Hello, world!"}]}""";

        using var parsed = JsonDocument.Parse(body);

        var result = JsonNode.Parse(s_counter.CountTokensResponse(parsed.RootElement))!.AsObject();

        Assert.Single(result);

        // 3 per request + 3 per message + 4 text.
        Assert.Equal(10, (int)result["input_tokens"]!);
    }

    [Fact]
    public void CountAnthropicRequest_SystemToolsAndToolBlocks_AreAllCounted()
    {
        var bare = """{"messages":[{"role":"user","content":"hi"}]}""";
        var withSystem = """{"system":[{"type":"text","text":"You are a careful assistant."}],"messages":[{"role":"user","content":"hi"}]}""";
        var withTools = """{"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]}""";
        var withToolUse = """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"get_weather","input":{"city":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"Sunny and 20 degrees"}]}]}]}""";

        var b = s_counter.CountAnthropicRequest(Utf8(bare));

        Assert.True(s_counter.CountAnthropicRequest(Utf8(withSystem)) > b + 4);

        // The documented tool-use system prompt (346 tokens) plus the definition itself.
        Assert.InRange(s_counter.CountAnthropicRequest(Utf8(withTools)) - b, 346 + 10, 346 + 40);
        Assert.True(s_counter.CountAnthropicRequest(Utf8(withToolUse)) > b + 10);
    }

    [Fact]
    public void CountAnthropicRequest_PngImage_UsesWidthTimesHeightOver750()
    {
        // A 200×150 PNG header: (200*150)/750 = 40 tokens.
        var png = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 200, 0, 0, 0, 150 }.CopyTo(png, 0);
        var body = $$$"""{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Convert.ToBase64String(png)}}}"}}]}]}""";

        Assert.Equal(3 + 3 + 40, s_counter.CountAnthropicRequest(Utf8(body)));
    }

    [Fact]
    public void CountAnthropicRequest_UrlImage_UsesTheDocumentedConstant()
    {
        var body = """{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}}]}]}""";

        Assert.Equal(3 + 3 + 1600, s_counter.CountAnthropicRequest(Utf8(body)));
    }

    [Theory]
    [InlineData(1000, 1000, 1334)] // within limits: 1e6/750
    [InlineData(4000, 3000, 1534)] // scaled to ~1.15 MP first
    public void ImageTokens_Dimensions_FollowAnthropicsFormula(int width, int height, int expected)
    {
        var jpeg = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 17, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3, 0, 0, 0 };

        Assert.InRange(ImageTokens.Estimate(Convert.ToBase64String(jpeg)), expected - 2, expected + 2);
    }

    [Fact]
    public void CountAnthropicRequest_BadJson_Throws400()
    {
        var ex = Assert.Throws<TranslationException>(() => s_counter.CountAnthropicRequest(Utf8("{")));

        Assert.Equal(400, ex.Status);
    }
}
