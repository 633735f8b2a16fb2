using System.Text.Json;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Accounting;

/// <summary>
/// Counts tokens and tool calls in an Anthropic Messages stream as its events pass by
/// (Messages API reference, "Streaming Messages").
/// </summary>
/// <remarks>
/// Events are recognised by the fields they carry rather than by their <c>type</c>, so the property
/// order inside an event does not matter and servers that omit <c>event:</c> lines still work:
/// <list type="bullet">
/// <item><c>message_start</c>: <c>message.usage</c> gives input and cache tokens (and the first
/// output count).</item>
/// <item><c>content_block_start</c>: a <c>content_block</c> of type <c>tool_use</c>,
/// <c>server_tool_use</c> or <c>mcp_tool_use</c> is one tool call.</item>
/// <item><c>content_block_delta</c>: <c>delta.text</c> (text_delta), <c>delta.partial_json</c>
/// (input_json_delta) and <c>delta.thinking</c> (thinking_delta) add to the output estimate;
/// signatures and citations do not.</item>
/// <item><c>message_delta</c>: <c>usage</c> carries the final output count, replacing the estimate,
/// and in newer API versions cumulative input and cache counts too.</item>
/// </list>
/// A malformed event is skipped whole: nothing from it is reported.
/// </remarks>
public sealed class AnthropicStreamAccountant : ISseEventHandler
{
    private readonly IUsageListener _listener;
    private OutputTokenEstimate _estimate;

    public AnthropicStreamAccountant(IUsageListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _listener = listener;
    }

    public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        // The frequent events that carry nothing to count are not parsed at all.
        if (eventType.SequenceEqual("ping"u8)
            || eventType.SequenceEqual("content_block_stop"u8)
            || eventType.SequenceEqual("message_stop"u8))
        {
            return;
        }

        long units = 0;
        var toolCalls = 0;
        UsageReport? usage = null;
        var textSink = _listener.WantsOutputText ? _listener : null;
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    units += WeighDelta(ref reader, textSink);
                }
                else if (reader.ValueTextEquals("content_block"u8))
                {
                    reader.Read();
                    units += ReadContentBlock(ref reader, ref toolCalls);
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    usage = UsageJson.ReadNestedUsage(ref reader, ApiFormat.Anthropic) ?? usage;
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    usage = UsageJson.ReadUsageValue(ref reader, ApiFormat.Anthropic) ?? usage;
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }
        catch (JsonException)
        {
            return;
        }

        _listener.Report(toolCalls, _estimate.Add(units), usage);
    }

    /// <summary>True when the reader is on a content block <c>type</c> value that is a tool call.</summary>
    internal static bool IsToolUseType(ref Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.String
            && (reader.ValueTextEquals("tool_use"u8)
                || reader.ValueTextEquals("server_tool_use"u8)
                || reader.ValueTextEquals("mcp_tool_use"u8));

    /// <summary>Weighs a <c>delta</c>; its <c>text</c> (a text_delta: what the client reads) also goes to <paramref name="textSink"/>.</summary>
    private static long WeighDelta(ref Utf8JsonReader reader, IUsageListener? textSink)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("text"u8))
            {
                units += JsonFields.WeighAndCaptureString(ref reader, textSink);
            }
            else if (reader.ValueTextEquals("partial_json"u8) || reader.ValueTextEquals("thinking"u8))
            {
                units += JsonFields.WeighString(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return units;
    }

    private static long ReadContentBlock(ref Utf8JsonReader reader, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (IsToolUseType(ref reader))
                {
                    toolCalls++;
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("name"u8)
                || reader.ValueTextEquals("text"u8)
                || reader.ValueTextEquals("thinking"u8))
            {
                // The tool name and any text a block starts with are generated tokens too.
                units += JsonFields.WeighString(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return units;
    }
}
