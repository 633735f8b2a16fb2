using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>
/// A corpus of malformed bodies sent to every endpoint, over pass-through and translated routes: each gets a 4xx
/// in the client's own error format, nothing reaches the upstream, and the gateway is healthy afterwards.
/// </summary>
public sealed class MalformedInputCorpusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Routes => new()
    {
        { "/v1/messages", "anthropic" },
        { "/v1/messages", "openai" },
        { "/v1/messages/count_tokens", "anthropic" },
        { "/v1/messages/count_tokens", "openai" },
        { "/v1/chat/completions", "openai" },
        { "/v1/chat/completions", "anthropic" },
        { "/v1/responses", "responses" },
        { "/v1/responses", "openai" },
        { "/v1/responses", "anthropic" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Post_MalformedCorpus_Every4xxInClientFormatNothingUpstreamGatewayHealthy(string path, string upstreamFormat)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, upstreamFormat switch
        {
            "anthropic" => ProviderRecordings.AnthropicMessage,
            "responses" => ResponsesObject,
            _ => ProviderRecordings.OpenAICompletion,
        }));
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat);
        var clientFormat = path switch
        {
            "/v1/chat/completions" => "openai",
            "/v1/responses" => "responses",
            _ => "anthropic",
        };
        var corpus = Corpus(clientFormat);
        var failures = new List<string>();

        foreach (var (name, bytes) in corpus)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await app.Client.PostAsync(path, content, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500)
            {
                failures.Add($"{name}: {status}");
            }
            else if (!IsClientFormatError(path, text))
            {
                failures.Add($"{name}: not an error in the client's format: {text[..Math.Min(200, text.Length)]}");
            }
        }

        Assert.True(corpus.Count >= 70, $"corpus has {corpus.Count} bodies");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Empty(upstream.Requests);
        Assert.Equal(0, app.Tracker.ActiveCount);

        // Healthy after: the health check answers and a good request still goes through.
        using var health = await app.Client.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var good = clientFormat switch
        {
            "openai" => ProviderRecordings.OpenAIRequest,
            "responses" => ResponsesRequest,
            _ => ProviderRecordings.AnthropicRequest,
        };
        using var ok = await app.Client.PostAsync(path, new StringContent(good, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    private const string ResponsesRequest = """{"model":"m","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}],"store":false}""";

    private const string ResponsesObject = """{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"m","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"hello","annotations":[]}]}],"usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}}""";

    private static bool IsClientFormatError(string path, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var error = root.GetProperty("error");
            return path.StartsWith("/v1/messages", StringComparison.Ordinal)
                ? root.GetProperty("type").GetString() == "error" && error.GetProperty("type").GetString() is { Length: > 0 } && error.GetProperty("message").GetString() is { Length: > 0 }
                : error.GetProperty("type").GetString() is { Length: > 0 } && error.GetProperty("message").GetString() is { Length: > 0 };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Named malformed bodies for a client format: syntax, encoding, structure, and wrong types where the gateway reads.</summary>
    internal static List<(string Name, byte[] Body)> Corpus(string clientFormat)
    {
        var list = new List<(string, byte[])>();
        void Add(string name, string json) => list.Add((name, Encoding.UTF8.GetBytes(json)));
        void AddBytes(string name, byte[] bytes) => list.Add((name, bytes));

        var maxTokens = clientFormat == "anthropic" ? "\"max_tokens\":16," : "";
        var responses = clientFormat == "responses";
        var messagesKey = responses ? "input" : "messages";
        var itemType = responses ? "\"type\":\"message\"," : "";
        string Body(string model = "\"m\"", string? messages = null) => $$"""{"model":{{model}},{{maxTokens}}"{{messagesKey}}":{{messages ?? Message()}}}""";
        string Message(string role = "\"user\"", string content = "\"hi\"") => $$"""[{{{itemType}}"role":{{role}},"content":{{content}}}]""";
        var valid = Body();

        // Syntax.
        foreach (var (name, text) in new[]
        {
            ("empty", ""), ("whitespace", "  \n\t "), ("null", "null"), ("true", "true"), ("number", "42"), ("string", "\"hello\""),
            ("empty array", "[]"), ("array of object", "[{}]"), ("open brace", "{"), ("close brace", "}"), ("model no value", "{\"model\":"),
            ("unclosed object", "{\"model\":\"m\""), ("trailing comma", valid[..^1] + ",}"), ("single quotes", "{'model':'m'}"),
            ("bare key", "{model:\"m\"}"), ("trailing garbage", valid + " x"), ("two objects", valid + "{}"), ("NaN", valid[..^1] + ",\"temperature\":NaN}"),
            ("comment", "/* c */" + valid), ("unterminated string", "{\"model\":\"m"), ("bad escape", "{\"model\":\"\\q\"}"),
            ("bad unicode escape", "{\"model\":\"\\u12\"}"), ("leading zero", valid[..^1] + ",\"temperature\":01}"), ("raw control char", "{\"model\":\"a\u0001b\"}"),
        })
        {
            Add("syntax: " + name, text);
        }

        for (var cut = 5; cut < valid.Length - 1; cut += Math.Max(1, valid.Length / 12))
        {
            Add($"truncated at {cut}", valid[..cut]);
        }

        // Encoding.
        var bad = Encoding.UTF8.GetBytes(valid);
        AddBytes("utf8: 0xFF in model", Splice(Body("\"m\u0001\""), "\u0001", [0xFF]));
        AddBytes("utf8: 0xFF in content", Splice(Body(messages: Message(content: "\"h\u0001\"")), "\u0001", [0xFF]));
        AddBytes("utf8: overlong NUL", Splice(Body(messages: Message(content: "\"h\u0001\"")), "\u0001", [0xC0, 0x80]));
        AddBytes("utf8: lone continuation", Splice(Body(messages: Message(content: "\"h\u0001\"")), "\u0001", [0x80]));
        AddBytes("utf8: truncated sequence", Splice(Body(messages: Message(content: "\"h\u0001\"")), "\u0001", [0xE2, 0x82]));
        AddBytes("utf8: surrogate encoded", Splice(Body(messages: Message(content: "\"h\u0001\"")), "\u0001", [0xED, 0xA0, 0x80]));
        AddBytes("utf8: 0xFE in key", Splice(Body(), "model", [0x6D, 0xFE]));
        AddBytes("utf16 body", Encoding.Unicode.GetBytes(valid));
        AddBytes("utf32 body", Encoding.UTF32.GetBytes(valid));
        AddBytes("NUL bytes", [.. bad.Take(10), 0, .. bad.Skip(10)]);

        // Structure.
        Add("structure: nesting 300 deep", Body(messages: Message(content: new string('[', 300) + new string(']', 300))));
        Add("structure: duplicate model", "{\"model\":\"a\",\"model\":\"b\"," + valid[1..]);
        Add("structure: duplicate stream", "{\"stream\":true,\"stream\":false," + valid[1..]);
        Add("structure: duplicate messages", "{\"" + messagesKey + "\":[]," + valid[1..]);
        Add("structure: duplicate role", Body(messages: $$"""[{{{itemType}}"role":"user","role":"assistant","content":"hi"}]"""));
        Add("structure: duplicate content", Body(messages: $$"""[{{{itemType}}"role":"user","content":"a","content":"b"}]"""));
        Add("structure: duplicate nested key", Body(messages: Message(content: """[{"type":"text","text":"a","text":"b"}]""")));

        // The model.
        foreach (var (name, model) in new[]
        {
            ("missing", ""), ("null", "null"), ("number", "1"), ("true", "true"), ("array", "[\"m\"]"), ("object", "{\"id\":\"m\"}"),
            ("empty", "\"\""), ("blank", "\"   \""), ("lone high surrogate", "\"\\ud800\""), ("lone low surrogate", "\"\\udfff\""),
            ("surrogate in the middle", "\"a\\ud800b\""), ("reversed pair", "\"\\udc00\\ud800\""),
        })
        {
            Add("model: " + name, name == "missing" ? "{" + maxTokens + "\"" + messagesKey + "\":" + Message() + "}" : Body(model));
        }

        // The messages.
        foreach (var (name, messages) in new[]
        {
            ("null", "null"), ("number", "1"), ("object", "{\"role\":\"user\"}"), ("array of numbers", "[1,2]"),
            ("array of strings", "[\"hi\"]"), ("array of null", "[null]"), ("array of arrays", "[[]]"), ("array of true", "[true]"),
        })
        {
            Add("messages: " + name, Body(messages: messages));
        }

        if (!responses)
        {
            // A Responses 'input' may be a plain string (one user message).
            Add("messages: string", Body(messages: "\"hi\""));
        }

        Add("messages: missing", "{" + maxTokens + "\"model\":\"m\"}");

        // Roles and content-block types of the wrong JSON type.
        foreach (var (name, value) in new[] { ("number", "1"), ("null", "null"), ("true", "true"), ("array", "[\"user\"]"), ("object", "{\"r\":\"user\"}") })
        {
            Add("role: " + name, Body(messages: Message(role: value)));
            Add("block type: " + name, Body(messages: Message(content: $$"""[{"type":{{value}},"text":"x"}]""")));
        }

        return list;
    }

    private static byte[] Splice(string json, string marker, byte[] replacement)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        return [.. bytes.AsSpan(0, at), .. replacement, .. bytes.AsSpan(at + Encoding.UTF8.GetByteCount(marker))];
    }
}
