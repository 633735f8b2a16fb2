using System.Text.Encodings.Web;
using System.Text.Json;

namespace Inflight.Tests.Sdk;

/// <summary>
/// OpenAI Chat Completions answers with tool calls, shaped like OpenAI's real ones: a tool call's
/// first chunk carries index, id, type and name with empty arguments, later chunks only index and an
/// argument fragment; then a chunk with finish_reason, the usage chunk (empty choices) and [DONE].
/// </summary>
internal static class OpenAIRecordings
{
    public const string ToolCallCompletion =
        """{"id":"chatcmpl-C3ToolCallNonStream01","object":"chat.completion","created":1741570283,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"}}],"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":85,"completion_tokens":23,"total_tokens":108,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_b3f1157249"}""";

    public const string FinalAnswerUsage =
        """{"prompt_tokens":120,"completion_tokens":12,"total_tokens":132,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";

    public const string FinalAnswerCompletion =
        """{"id":"chatcmpl-C3FinalAnswerNonStream","object":"chat.completion","created":1741570290,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":"It is 18°C and sunny in Paris.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":12,"total_tokens":132,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_b3f1157249"}""";

    /// <summary>The argument fragments of the Paris call, in the order OpenAI streams them.</summary>
    public static readonly string[] ParisFragments = ["{\"", "location", "\":\"", "Paris", ",", " France", "\",\"", "unit", "\":\"", "c", "elsius", "\"}"];

    private static readonly string[] s_tokyoFragments = ["{\"", "timezone", "\":\"", "Asia", "/T", "okyo", "\"}"];

    private static readonly JsonSerializerOptions s_wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly string[] ToolCallStream =
    [
        ToolCallStart("chatcmpl-C3ToolCallStream01", 0, "call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather", first: true),
        .. ParisFragments.Select(f => ArgumentFragment("chatcmpl-C3ToolCallStream01", 0, f)),
        Finish("chatcmpl-C3ToolCallStream01", "tool_calls"),
        Usage("chatcmpl-C3ToolCallStream01", 85, 23),
        "data: [DONE]\n\n",
    ];

    public static readonly string[] ParallelToolCallStream =
    [
        ToolCallStart("chatcmpl-C3ParallelStream01", 0, "call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather", first: true),
        .. ParisFragments.Select(f => ArgumentFragment("chatcmpl-C3ParallelStream01", 0, f)),
        ToolCallStart("chatcmpl-C3ParallelStream01", 1, "call_q9EgvGCrxKZ1KcGrY3FnXG2s", "get_time", first: false),
        .. s_tokyoFragments.Select(f => ArgumentFragment("chatcmpl-C3ParallelStream01", 1, f)),
        Finish("chatcmpl-C3ParallelStream01", "tool_calls"),
        Usage("chatcmpl-C3ParallelStream01", 91, 48),
        "data: [DONE]\n\n",
    ];

    public static readonly string[] FinalAnswerStream =
    [
        Chunk("chatcmpl-C3FinalStream0001", """[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]"""),
        .. new[] { "It is ", "18°C", " and sunny", " in Paris." }.Select(text => Chunk(
            "chatcmpl-C3FinalStream0001",
            $$$"""[{"index":0,"delta":{"content":{{{JsonSerializer.Serialize(text, s_wire)}}}},"logprobs":null,"finish_reason":null}]""")),
        Finish("chatcmpl-C3FinalStream0001", "stop"),
        Usage("chatcmpl-C3FinalStream0001", 120, 12),
        "data: [DONE]\n\n",
    ];

    private static string ToolCallStart(string id, int index, string callId, string name, bool first)
        => Chunk(id, first
            ? $$$"""[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":{{{index}}},"id":"{{{callId}}}","type":"function","function":{"name":"{{{name}}}","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]"""
            : $$$"""[{"index":0,"delta":{"tool_calls":[{"index":{{{index}}},"id":"{{{callId}}}","type":"function","function":{"name":"{{{name}}}","arguments":""}}]},"logprobs":null,"finish_reason":null}]""");

    private static string ArgumentFragment(string id, int index, string fragment)
        => Chunk(id, $$$"""[{"index":0,"delta":{"tool_calls":[{"index":{{{index}}},"function":{"arguments":{{{JsonSerializer.Serialize(fragment, s_wire)}}}}}]},"logprobs":null,"finish_reason":null}]""");

    private static string Finish(string id, string reason)
        => Chunk(id, $$$"""[{"index":0,"delta":{},"logprobs":null,"finish_reason":"{{{reason}}}"}]""");

    private static string Usage(string id, int prompt, int completion)
        => Chunk(id, "[]", $$$"""{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{prompt + completion}}},"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""");

    private static string Chunk(string id, string choices, string usage = "null")
        => $$$"""data: {"id":"{{{id}}}","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":{{{choices}}},"usage":{{{usage}}}}""" + "\n\n";
}
