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
                        e.Delta = RawJson.ReadValueRange(ref reader);
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
}
