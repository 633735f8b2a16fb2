using System.Text;
using Inflight.Protocols.Requests;

namespace Inflight.Protocols.Tests.Requests;

public sealed class RequestBodyRewriterTests
{
    private static string Rewrite(string body, string model, bool includeUsage)
        => Encoding.UTF8.GetString(RequestBodyRewriter.Rewrite(Encoding.UTF8.GetBytes(body), model, includeUsage).Span);

    [Fact]
    public void Rewrite_PrefixedModel_ReplacesOnlyTheModelValue()
    {
        const string Body = "{ \"max_tokens\" : 1.50e3,\n  \"model\":\"openai:gpt-4o\", \"messages\":[{\"role\":\"user\",\"content\":\"model: \\\"x\\\"\"}], \"z\":null }";

        var result = Rewrite(Body, "gpt-4o", includeUsage: false);

        Assert.Equal(Body.Replace("\"openai:gpt-4o\"", "\"gpt-4o\"", StringComparison.Ordinal), result);
    }

    [Fact]
    public void Rewrite_SameModelNoUsage_ReturnsTheSameBytes()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"model\":\"gpt-4o\",\"messages\":[]}");

        var result = RequestBodyRewriter.Rewrite(bytes, "gpt-4o", addIncludeUsage: false);

        Assert.True(result.Span == bytes.AsSpan());
    }

    [Fact]
    public void Rewrite_ModelNeedingEscapes_WritesValidJson()
    {
        var result = Rewrite("{\"model\":\"a\",\"messages\":[]}", "we\"ird/model", includeUsage: false);

        using var document = System.Text.Json.JsonDocument.Parse(result);
        Assert.Equal("we\"ird/model", document.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Rewrite_IncludeUsageWithoutStreamOptions_AppendsThem()
    {
        var result = Rewrite("{\"model\":\"a\",\"stream\":true,\"messages\":[]}", "b", includeUsage: true);

        Assert.Equal("{\"model\":\"b\",\"stream\":true,\"messages\":[],\"stream_options\":{\"include_usage\":true}}", result);
    }

    [Fact]
    public void Rewrite_IncludeUsageWithOtherStreamOptions_KeepsThemAndSetsUsage()
    {
        var result = Rewrite("{\"stream_options\":{\"include_obfuscation\":false,\"include_usage\":false},\"model\":\"a\",\"messages\":[]}", "a", includeUsage: true);

        Assert.Equal("{\"stream_options\":{\"include_obfuscation\":false,\"include_usage\":true},\"model\":\"a\",\"messages\":[]}", result);
    }
}
