using System.Buffers;
using System.Text.Json;

namespace Inflight.Protocols.Requests;

/// <summary>
/// Edits a request body at the byte level so everything the gateway does not need to change passes
/// through exactly as the client sent it (no re-serialization, no reordering, numbers untouched).
/// </summary>
public static class RequestBodyRewriter
{
    /// <summary>
    /// Returns the body with the top-level <c>model</c> value replaced and, when
    /// <paramref name="addIncludeUsage"/> is set, <c>"stream_options":{"include_usage":true}</c> ensured.
    /// Returns the input unchanged when there is nothing to do.
    /// </summary>
    public static ReadOnlyMemory<byte> Rewrite(ReadOnlyMemory<byte> body, string model, bool addIncludeUsage)
    {
        var span = body.Span;
        var (modelStart, modelEnd) = FindTopLevelValue(span, "model"u8);
        var currentModelMatches = modelStart >= 0 && ValueEquals(span[modelStart..modelEnd], model);
        if (currentModelMatches && !addIncludeUsage)
        {
            return body;
        }

        var output = new ArrayBufferWriter<byte>(body.Length + model.Length + 48);
        if (modelStart < 0)
        {
            throw new RequestBodyException("'model' is required.");
        }

        var (optionsStart, optionsEnd) = addIncludeUsage ? FindTopLevelValue(span, "stream_options"u8) : (-1, -1);

        // Pieces in order of position: model value, stream_options value (either may come first).
        var edits = new List<(int Start, int End, byte[] Replacement)>(2)
        {
            (modelStart, modelEnd, JsonString(model)),
        };
        if (addIncludeUsage && optionsStart >= 0)
        {
            edits.Add((optionsStart, optionsEnd, MergeIncludeUsage(span[optionsStart..optionsEnd])));
        }

        edits.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var position = 0;
        foreach (var (start, end, replacement) in edits)
        {
            output.Write(span[position..start]);
            output.Write(replacement);
            position = end;
        }

        if (addIncludeUsage && optionsStart < 0)
        {
            // Insert just before the final '}' of the top-level object.
            var close = span.LastIndexOf((byte)'}');
            output.Write(span[position..close]);
            output.Write(",\"stream_options\":{\"include_usage\":true}"u8);
            output.Write(span[close..]);
        }
        else
        {
            output.Write(span[position..]);
        }

        return output.WrittenMemory;
    }

    private static byte[] JsonString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool ValueEquals(ReadOnlySpan<byte> rawJsonValue, string expected)
    {
        var reader = new Utf8JsonReader(rawJsonValue);
        return reader.Read() && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(expected);
    }

    private static byte[] MergeIncludeUsage(ReadOnlySpan<byte> streamOptions)
    {
        using var document = JsonDocument.Parse(streamOptions.ToArray());
        var buffer = new ArrayBufferWriter<byte>(streamOptions.Length + 24);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!property.NameEquals("include_usage"u8))
                    {
                        property.WriteTo(writer);
                    }
                }
            }

            writer.WriteBoolean("include_usage", true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Byte range [start, end) of a top-level property's value, or (-1, -1).</summary>
    internal static (int Start, int End) FindTopLevelValue(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256, CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return (-1, -1);
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
            {
                continue;
            }

            var matches = reader.ValueTextEquals(name);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            var end = (int)reader.BytesConsumed;
            if (matches)
            {
                return (start, end);
            }
        }

        return (-1, -1);
    }
}
