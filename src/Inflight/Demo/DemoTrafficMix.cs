using System.Text.Json;
using Inflight.Protocols;

namespace Inflight.Demo;

/// <summary>One request the traffic generator sends: where, in which format, and the exact body.</summary>
internal sealed record DemoTrafficRequest(ApiFormat Format, bool Streaming, string Model, string Path, byte[] Body);

/// <summary>
/// Composes the varied requests demo mode sends through the gateway: both formats, streaming and
/// not, several models, single- and multi-turn conversations, declared tools, tool calls and tool
/// results in the history, small prompts and large pasted documents. Not thread-safe (one per generator).
/// </summary>
internal sealed class DemoTrafficMix(Random random, bool unprefixedModelsReachDemo)
{
    private static readonly string[] s_prompts =
    [
        "How do I stream responses from an LLM API to a browser?",
        "Explain time to first token and why it matters.",
        "What is a good retry strategy for rate-limited API calls?",
        "Summarize the trade-offs of prompt caching.",
        "Write a short checklist for reviewing a pull request.",
        "Why do my server-sent events arrive all at once behind a proxy?",
        "How should cancellation propagate through an HTTP gateway?",
        "Compare bounded and unbounded channels for fan-out.",
        "What metrics would you put on an LLM gateway dashboard?",
        "How do I estimate token counts before sending a request?",
        "Suggest names for a service that watches requests in flight.",
        "What does a 529 overloaded error mean and how should a client react?",
    ];

    private static readonly (string Name, string Description, (string Name, string Type)[] Parameters)[] s_tools =
    [
        ("read_file", "Read a file from the workspace.", [("path", "string")]),
        ("run_command", "Run a shell command and return its output.", [("command", "string"), ("timeout_seconds", "integer")]),
        ("search_docs", "Search the documentation.", [("query", "string"), ("max_results", "integer")]),
        ("get_weather", "Get the current weather for a location.", [("location", "string"), ("celsius", "boolean")]),
    ];

    private static readonly int[] s_maxTokens = [256, 512, 1024, 2048, 4096];

    public DemoTrafficRequest Next()
    {
        var format = random.Next(2) == 0 ? ApiFormat.Anthropic : ApiFormat.OpenAI;
        var streaming = random.NextDouble() < 0.7;
        var model = PickModel(format);
        var scenario = random.NextDouble();
        var declareTools = scenario >= 0.6;
        var toolHistory = scenario >= 0.8;
        var turns = scenario is >= 0.35 and < 0.6 ? random.Next(2, 5) : 1;
        var document = random.NextDouble() < 0.15 ? DemoTextCorpus.Compose(random, random.Next(500, 8000)) : null;

        var body = format == ApiFormat.Anthropic
            ? AnthropicBody(model, streaming, turns, declareTools, toolHistory, document)
            : OpenAIBody(model, streaming, turns, declareTools, toolHistory, document);
        return new DemoTrafficRequest(format, streaming, model, format == ApiFormat.Anthropic ? "/v1/messages" : "/v1/chat/completions", body);
    }

    private string PickModel(ApiFormat format)
    {
        // A model without a prefix goes to the default provider: only use one when that is the demo
        // provider, so demo traffic never reaches (and bills) a real provider.
        string[] models = format == ApiFormat.Anthropic
            ? ["demo:claude-demo", "demo:demo-fast", "demo:demo-large", "claude-demo"]
            : ["demo:gpt-demo", "demo:demo-fast", "demo:demo-large", "demo-large"];
        var count = unprefixedModelsReachDemo ? models.Length : models.Length - 1;
        return models[random.Next(count)];
    }

    private byte[] AnthropicBody(string model, bool streaming, int turns, bool declareTools, bool toolHistory, string? document) => DemoWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("model", model);
        w.WriteNumber("max_tokens", s_maxTokens[random.Next(s_maxTokens.Length)]);
        if (streaming)
        {
            w.WriteBoolean("stream", true);
        }

        if (random.NextDouble() < 0.5)
        {
            w.WriteNumber("temperature", Math.Round(random.NextDouble(), 1));
        }

        if (document is not null || random.NextDouble() < 0.4)
        {
            // Long system prompts are what clients mark for caching.
            w.WriteStartArray("system");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", SystemPrompt(document));
            if (document is not null)
            {
                w.WriteStartObject("cache_control");
                w.WriteString("type", "ephemeral");
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndArray();
        }

        if (declareTools)
        {
            w.WriteStartArray("tools");
            foreach (var tool in s_tools)
            {
                w.WriteStartObject();
                w.WriteString("name", tool.Name);
                w.WriteString("description", tool.Description);
                w.WritePropertyName("input_schema");
                WriteSchema(w, tool.Parameters);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("messages");
        WriteHistory(w, turns);

        if (toolHistory)
        {
            var tool = s_tools[random.Next(s_tools.Length)];
            var id = "toolu_01" + DemoReplyPlanner.RandomId(random, 22);
            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", DemoTextCorpus.ToolPreamble(random));
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "tool_use");
            w.WriteString("id", id);
            w.WriteString("name", tool.Name);
            w.WritePropertyName("input");
            w.WriteRawValue(ToolArguments(tool.Parameters));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "tool_result");
            w.WriteString("tool_use_id", id);
            w.WriteString("content", DemoTextCorpus.Compose(random, random.Next(20, 300)));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private byte[] OpenAIBody(string model, bool streaming, int turns, bool declareTools, bool toolHistory, string? document) => DemoWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("model", model);
        var limit = random.NextDouble();
        if (limit < 0.5)
        {
            w.WriteNumber("max_tokens", s_maxTokens[random.Next(s_maxTokens.Length)]);
        }
        else if (limit < 0.75)
        {
            w.WriteNumber("max_completion_tokens", s_maxTokens[random.Next(s_maxTokens.Length)]);
        }

        if (streaming)
        {
            w.WriteBoolean("stream", true);
            if (random.NextDouble() < 0.8)
            {
                w.WriteStartObject("stream_options");
                w.WriteBoolean("include_usage", true);
                w.WriteEndObject();
            }
        }

        if (declareTools)
        {
            w.WriteStartArray("tools");
            foreach (var tool in s_tools)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", tool.Name);
                w.WriteString("description", tool.Description);
                w.WritePropertyName("parameters");
                WriteSchema(w, tool.Parameters);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("messages");
        if (document is not null || random.NextDouble() < 0.4)
        {
            WriteTextMessage(w, "system", SystemPrompt(document));
        }

        WriteHistory(w, turns);

        if (toolHistory)
        {
            var tool = s_tools[random.Next(s_tools.Length)];
            var id = "call_" + DemoReplyPlanner.RandomId(random, 24);
            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteNull("content");
            w.WriteStartArray("tool_calls");
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", tool.Name);
            w.WriteString("arguments", ToolArguments(tool.Parameters));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject();
            w.WriteString("role", "tool");
            w.WriteString("tool_call_id", id);
            w.WriteString("content", DemoTextCorpus.Compose(random, random.Next(20, 300)));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>user, assistant, user, …: <paramref name="turns"/> user messages with answers between them.</summary>
    /// <summary>
    /// <paramref name="turns"/> user prompts with an assistant reply between each two. A message whose
    /// content is a string has the same shape in both formats, so both bodies write their history here.
    /// </summary>
    private void WriteHistory(Utf8JsonWriter w, int turns)
    {
        for (var turn = 0; turn < turns; turn++)
        {
            if (turn > 0)
            {
                WriteTextMessage(w, "assistant", DemoTextCorpus.Compose(random, random.Next(30, 250)));
            }

            WriteTextMessage(w, "user", s_prompts[random.Next(s_prompts.Length)]);
        }
    }

    private static void WriteTextMessage(Utf8JsonWriter w, string role, string text)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", text);
        w.WriteEndObject();
    }

    private static string SystemPrompt(string? document)
        => document is null
            ? "You are a concise assistant for software engineers."
            : "You are a concise assistant for software engineers. Answer using this reference material:\n\n" + document;

    private static void WriteSchema(Utf8JsonWriter w, (string Name, string Type)[] parameters)
    {
        w.WriteStartObject();
        w.WriteString("type", "object");
        w.WriteStartObject("properties");
        foreach (var (name, type) in parameters)
        {
            w.WriteStartObject(name);
            w.WriteString("type", type);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartArray("required");
        w.WriteStringValue(parameters[0].Name);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private string ToolArguments((string Name, string Type)[] parameters)
    {
        var schema = DemoWire.Json(w => WriteSchema(w, parameters));
        using var document = JsonDocument.Parse(schema);
        return DemoToolArguments.Create(document.RootElement, random);
    }
}
