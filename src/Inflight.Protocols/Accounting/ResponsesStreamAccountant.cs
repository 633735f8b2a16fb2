using System.Text.Json;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Accounting;

/// <summary>
/// Counts tokens and tool calls in an OpenAI Responses stream as its events pass by (API reference,
/// "Streaming events").
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every <c>*.delta</c> event's <c>delta</c> string — <c>response.output_text.delta</c>,
/// <c>response.function_call_arguments.delta</c>, <c>response.custom_tool_call_input.delta</c>,
/// <c>response.refusal.delta</c>, reasoning text and summary deltas — adds to the output estimate;
/// audio deltas (base64) do not.</item>
/// <item><c>response.output_item.added</c> with an item whose type ends in <c>_call</c>
/// (<c>function_call</c>, <c>custom_tool_call</c>, hosted calls such as <c>web_search_call</c>) is one
/// tool call; the matching <c>.done</c> event is not counted again.</item>
/// <item><c>response.completed</c>, <c>response.incomplete</c> and <c>response.failed</c> carry
/// <c>response.usage</c>, mapped as <see cref="UsageJson.ReadResponses"/> documents.</item>
/// </list>
/// The type comes from the <c>event:</c> line, or from the data's <c>type</c> when a server omits it.
/// A malformed event is skipped whole.
/// </remarks>
public sealed class ResponsesStreamAccountant : ISseEventHandler
{
    private readonly IUsageListener _listener;
    private OutputTokenEstimate _estimate;

    public ResponsesStreamAccountant(IUsageListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _listener = listener;
    }

    public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        long units = 0;
        var toolCalls = 0;
        UsageReport? usage = null;
        try
        {
            var type = eventType.IsEmpty ? ReadType(data) : eventType;
            if (CarriesNothingToCount(type))
            {
                return;
            }

            var weighDelta = type.EndsWith(".delta"u8) && type.IndexOf("audio"u8) < 0;
            var textSink = _listener.WantsOutputText && type.SequenceEqual("response.output_text.delta"u8) ? _listener : null;
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (weighDelta && reader.ValueTextEquals("delta"u8))
                {
                    units += JsonFields.WeighAndCaptureString(ref reader, textSink);
                }
                else if (reader.ValueTextEquals("item"u8))
                {
                    reader.Read();
                    if (IsToolCallItem(ref reader))
                    {
                        toolCalls++;
                    }
                }
                else if (reader.ValueTextEquals("response"u8))
                {
                    reader.Read();
                    usage = UsageJson.ReadNestedUsage(ref reader, ApiFormat.Responses) ?? usage;
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

    /// <summary>
    /// The frequent events that carry nothing new are not parsed: <c>.done</c> events repeat what their
    /// deltas said, and <c>response.created</c> / <c>.in_progress</c> echo the whole request's tools.
    /// </summary>
    private static bool CarriesNothingToCount(ReadOnlySpan<byte> type)
        => type.EndsWith(".done"u8)
            || type.EndsWith(".in_progress"u8)
            || type.SequenceEqual("response.created"u8)
            || (type.EndsWith(".added"u8) && !type.SequenceEqual("response.output_item.added"u8));

    /// <summary>The data's top-level <c>type</c> value (raw, still escaped), or empty.</summary>
    private static ReadOnlySpan<byte> ReadType(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String ? data.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length) : default;
            }

            JsonFields.SkipValue(ref reader);
        }

        return default;
    }

    /// <summary>On an output item's value: whether its <c>type</c> names a call (<c>*_call</c>). Ends on the value's last token.</summary>
    internal static bool IsToolCallItem(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var isCall = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                isCall = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.EndsWith("_call"u8);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return isCall;
    }
}
