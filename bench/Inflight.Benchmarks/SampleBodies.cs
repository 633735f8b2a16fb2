using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Inflight.Benchmarks;

/// <summary>
/// Request bodies shaped like Claude Code's: a long system prompt, a dozen tools with JSON schemas,
/// and a conversation with tool_use / tool_result turns — about 50 KB, built deterministically.
/// </summary>
internal static class SampleBodies
{
    private const string Filler = "The quick brown fox reads the repository, runs the tests and explains each change it makes. ";

    public static byte[] Anthropic(int targetBytes = 50_000, bool stream = true) => Build(targetBytes, stream, anthropic: true);

    public static byte[] OpenAI(int targetBytes = 50_000, bool stream = true) => Build(targetBytes, stream, anthropic: false);

    private static byte[] Build(int targetBytes, bool stream, bool anthropic)
    {
        var buffer = new ArrayBufferWriter<byte>(targetBytes + 4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", anthropic ? "claude-sonnet-4-5" : "gpt-4o-mini");
            w.WriteNumber("max_tokens", 32_000);
            w.WriteBoolean("stream", stream);
            if (anthropic)
            {
                w.WriteStartArray("system");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", Repeat(8_000));
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteStartArray("tools");
            for (var t = 0; t < 14; t++)
            {
                w.WriteStartObject();
                if (!anthropic)
                {
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                }

                w.WriteString("name", $"Tool{t}");
                w.WriteString("description", Repeat(900));
                w.WriteStartObject(anthropic ? "input_schema" : "parameters");
                w.WriteString("type", "object");
                w.WriteStartObject("properties");
                for (var p = 0; p < 4; p++)
                {
                    w.WriteStartObject($"param_{p}");
                    w.WriteString("type", p % 2 == 0 ? "string" : "integer");
                    w.WriteString("description", Repeat(120));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteStartArray("required");
                w.WriteStringValue("param_0");
                w.WriteEndArray();
                w.WriteEndObject();
                if (!anthropic)
                {
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("messages");
            if (!anthropic)
            {
                w.WriteStartObject();
                w.WriteString("role", "system");
                w.WriteString("content", Repeat(8_000));
                w.WriteEndObject();
            }

            var turn = 0;
            while (w.BytesPending + w.BytesCommitted + buffer.WrittenCount < targetBytes - 600)
            {
                WriteTurn(w, turn++, anthropic);
                w.Flush();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTurn(Utf8JsonWriter w, int turn, bool anthropic)
    {
        var id = $"toolu_{turn:D6}";
        if (anthropic)
        {
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", turn == 0 ? "text" : "tool_result");
            if (turn == 0)
            {
                w.WriteString("text", Repeat(400));
            }
            else
            {
                w.WriteString("tool_use_id", $"toolu_{turn - 1:D6}");
                w.WriteString("content", Repeat(1_200));
            }

            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", Repeat(200));
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "tool_use");
            w.WriteString("id", id);
            w.WriteString("name", "Tool1");
            w.WriteStartObject("input");
            w.WriteString("param_0", "src/Inflight/Gateway/GatewayForwarder.cs");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", turn == 0 ? "user" : "tool");
        if (turn > 0)
        {
            w.WriteString("tool_call_id", $"toolu_{turn - 1:D6}");
        }

        w.WriteString("content", Repeat(turn == 0 ? 400 : 1_200));
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", Repeat(200));
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", "Tool1");
        w.WriteString("arguments", """{"param_0":"src/Inflight/Gateway/GatewayForwarder.cs"}""");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Repeat(int length)
    {
        var builder = new StringBuilder(length + Filler.Length);
        while (builder.Length < length)
        {
            builder.Append(Filler);
        }

        return builder.ToString(0, length);
    }
}
