using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Where the fields the stream translators read lie in one Anthropic Messages stream event: byte ranges
/// into the event's data (absent: empty), found in one <see cref="Utf8JsonReader"/> pass that also checks
/// the whole event is well-formed JSON; nested objects are read with <see cref="RawJson.Property"/>. A
/// property sent twice reads as its last occurrence, as <see cref="JsonDocument"/> reads it.
/// </summary>
internal struct AnthropicEventFields
{
    public bool IsObject;
    public Range Type;
    public Range Index;
    public Range Message;
    public Range ContentBlock;
    public Range Delta;
    public Range Usage;

    // The fields of a "delta" object, read in the same pass (the hot path: one per text or argument fragment).
    public Range DeltaType;
    public Range DeltaText;
    public Range DeltaPartialJson;
    public Range DeltaThinking;
    public Range DeltaSignature;
    public Range DeltaStopReason;

    /// <summary>Finds the fields; false when <paramref name="data"/> is not one well-formed JSON value.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out AnthropicEventFields e)
    {
        e = default;
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
            }
            else
            {
                e.IsObject = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        e.Type = RawJson.ReadValueRange(ref reader);
                    }
                    else if (reader.ValueTextEquals("index"u8))
                    {
                        e.Index = RawJson.ReadValueRange(ref reader);
                    }
                    else if (reader.ValueTextEquals("delta"u8))
                    {
                        reader.Read();
                        e.ReadDelta(ref reader);
                    }
                    else if (reader.ValueTextEquals("content_block"u8))
                    {
                        e.ContentBlock = RawJson.ReadValueRange(ref reader);
                    }
                    else if (reader.ValueTextEquals("usage"u8))
                    {
                        e.Usage = RawJson.ReadValueRange(ref reader);
                    }
                    else if (reader.ValueTextEquals("message"u8))
                    {
                        e.Message = RawJson.ReadValueRange(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }

            // Anything after the value (a second value, garbage) makes the event malformed, as a parse would.
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        DeltaType = DeltaText = DeltaPartialJson = DeltaThinking = DeltaSignature = DeltaStopReason = default;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    DeltaType = RawJson.ReadValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    DeltaText = RawJson.ReadValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("partial_json"u8))
                {
                    DeltaPartialJson = RawJson.ReadValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("thinking"u8))
                {
                    DeltaThinking = RawJson.ReadValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("signature"u8))
                {
                    DeltaSignature = RawJson.ReadValueRange(ref reader);
                }
                else if (reader.ValueTextEquals("stop_reason"u8))
                {
                    DeltaStopReason = RawJson.ReadValueRange(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        else
        {
            reader.Skip();
        }

        Delta = start..(int)reader.BytesConsumed;
    }
}
