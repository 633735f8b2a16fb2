using System.Text.Encodings.Web;
using System.Text.Json;

namespace Inflight.Tests.Sdk;

/// <summary>
/// Anthropic Messages answers with tool use, shaped like Anthropic's real ones: a <c>tool_use</c> block
/// starts with an empty <c>input</c>, its arguments stream as <c>input_json_delta</c> fragments (the first
/// one empty), and <c>message_delta</c> carries the stop reason and the cumulative output tokens.
/// </summary>
internal static class AnthropicRecordings
{
    public const string WeatherToolUseId = "toolu_01A09q90qw90lq917835lq9";
    public const string TimeToolUseId = "toolu_01T1x1fJ34qAmk2tNTrN7Up6";

    public const string ToolUseMessage =
        """{"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"I'll check the weather in Paris."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"Paris, France","unit":"celsius"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":89}}""";

    public const string FinalAnswerMessage =
        """{"id":"msg_01FinalAnswerNonStream","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"It is 18°C and sunny in Paris."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":580,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":15}}""";

    /// <summary>The argument fragments of the Paris call, in the order Anthropic streams them.</summary>
    public static readonly string[] ParisFragments = ["", "{\"location\":", " \"Paris, Fr", "ance\"", ", \"unit\": \"c", "elsius\"}"];

    private static readonly string[] s_tokyoFragments = ["", "{\"timezone\"", ": \"Asia/Tokyo\"}"];

    private static readonly JsonSerializerOptions s_wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly string[] ToolUseStream =
    [
        MessageStart("msg_014p7gG3wDgGV9EUtLvnow3U", 472),
        TextBlockStart(0),
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        TextDelta(0, "I'll check"),
        TextDelta(0, " the weather in Paris."),
        BlockStop(0),
        ToolUseStart(1, WeatherToolUseId, "get_weather"),
        .. ParisFragments.Select(f => InputJsonDelta(1, f)),
        BlockStop(1),
        MessageDelta("tool_use", 89),
        MessageStop,
    ];

    public static readonly string[] ParallelToolUseStream =
    [
        MessageStart("msg_01ParallelToolUseStream", 480),
        ToolUseStart(0, WeatherToolUseId, "get_weather"),
        .. ParisFragments.Select(f => InputJsonDelta(0, f)),
        BlockStop(0),
        ToolUseStart(1, TimeToolUseId, "get_time"),
        .. s_tokyoFragments.Select(f => InputJsonDelta(1, f)),
        BlockStop(1),
        MessageDelta("tool_use", 112),
        MessageStop,
    ];

    public static readonly string[] FinalAnswerStream =
    [
        MessageStart("msg_01FinalAnswerStream0001", 580),
        TextBlockStart(0),
        TextDelta(0, "It is 18°C"),
        TextDelta(0, " and sunny in Paris."),
        BlockStop(0),
        MessageDelta("end_turn", 15),
        MessageStop,
    ];

    private const string MessageStop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static string MessageStart(string id, int inputTokens)
        => Event("message_start", $$$$"""{"type":"message_start","message":{"id":"{{{{id}}}}","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":{{{{inputTokens}}}},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}}""");

    private static string TextBlockStart(int index)
        => Event("content_block_start", $$$$"""{"type":"content_block_start","index":{{{{index}}}},"content_block":{"type":"text","text":""}}""");

    private static string ToolUseStart(int index, string id, string name)
        => Event("content_block_start", $$$$"""{"type":"content_block_start","index":{{{{index}}}},"content_block":{"type":"tool_use","id":"{{{{id}}}}","name":"{{{{name}}}}","input":{}}}""");

    private static string TextDelta(int index, string text)
        => Event("content_block_delta", $$$$"""{"type":"content_block_delta","index":{{{{index}}}},"delta":{"type":"text_delta","text":{{{{JsonSerializer.Serialize(text, s_wire)}}}}}}""");

    private static string InputJsonDelta(int index, string fragment)
        => Event("content_block_delta", $$$$"""{"type":"content_block_delta","index":{{{{index}}}},"delta":{"type":"input_json_delta","partial_json":{{{{JsonSerializer.Serialize(fragment, s_wire)}}}}}}""");

    private static string BlockStop(int index)
        => Event("content_block_stop", $$$$"""{"type":"content_block_stop","index":{{{{index}}}}}""");

    private static string MessageDelta(string stopReason, int outputTokens)
        => Event("message_delta", $$$$"""{"type":"message_delta","delta":{"stop_reason":"{{{{stopReason}}}}","stop_sequence":null},"usage":{"output_tokens":{{{{outputTokens}}}}}}""");

    private static string Event(string type, string data) => $"event: {type}\ndata: {data}\n\n";
}
