using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Where the fields the stream translators read lie in one OpenAI <c>chat.completion.chunk</c>: byte
/// ranges into the event's data (absent: empty), found in one <see cref="Utf8JsonReader"/> pass that also
/// checks the whole event is well-formed JSON. Only <c>choices[0]</c> is read, as the translators answer
/// one choice. A property sent twice reads as its last occurrence, as <see cref="JsonDocument"/> reads it.
/// </summary>
internal struct OpenAIChunkFields
{
    public bool IsObject;
    public Range Error;
    public Range Id;
    public Range Model;
    public Range Usage;

    /// <summary>Whether <c>choices</c> has a first element (an object).</summary>
    public bool HasChoice;
    public Range FinishReason;

    /// <summary>Whether the first choice has a <c>delta</c> object.</summary>
    public bool HasDelta;
    public Range Content;
    public Range Refusal;
    public Range ReasoningContent;
    public Range Reasoning;
    public Range ToolCalls;

    /// <summary>Finds the fields; false when <paramref name="data"/> is not one well-formed JSON value.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out OpenAIChunkFields chunk)
    {
        chunk = default;
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
                chunk.IsObject = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("choices"u8))
                    {
                        reader.Read();
                        chunk.ReadChoices(ref reader);
                    }
                    else if (reader.ValueTextEquals("error"u8))
                    {
                        chunk.Error = RawJson.ReadValueRange(ref reader);
                    }
                    else if (reader.ValueTextEquals("id"u8))
                    {
                        chunk.Id = RawJson.ReadValueRange(ref reader);
                    }
                    else if (reader.ValueTextEquals("model"u8))
                    {
                        chunk.Model = RawJson.ReadValueRange(ref reader);
                    }
                    else if (reader.ValueTextEquals("usage"u8))
                    {
                        chunk.Usage = RawJson.ReadValueRange(ref reader);
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

    private void ReadChoices(ref Utf8JsonReader reader)
    {
        HasChoice = false;
        FinishReason = default;
        ClearDelta();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            HasChoice = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    ReadDelta(ref reader);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    FinishReason = RawJson.ReadValueRange(ref reader);
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

        // Further choices (n > 1) are not translated: skipped whole.
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Read();
            reader.Skip();
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader)
    {
        ClearDelta();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        HasDelta = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                Content = RawJson.ReadValueRange(ref reader);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                ToolCalls = RawJson.ReadValueRange(ref reader);
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                Refusal = RawJson.ReadValueRange(ref reader);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                ReasoningContent = RawJson.ReadValueRange(ref reader);
            }
            else if (reader.ValueTextEquals("reasoning"u8))
            {
                Reasoning = RawJson.ReadValueRange(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ClearDelta()
    {
        HasDelta = false;
        Content = Refusal = ReasoningContent = Reasoning = ToolCalls = default;
    }
}

/// <summary>One entry of a chunk's <c>delta.tool_calls</c>: byte ranges into the <c>tool_calls</c> array's bytes.</summary>
internal struct OpenAIToolCallFields
{
    public Range Index;
    public Range Id;

    /// <summary>Whether <c>function</c> is an object.</summary>
    public bool HasFunction;
    public Range Name;
    public Range Arguments;

    /// <summary>
    /// Reads the next entry of a <c>tool_calls</c> array (the reader on the array's start or after the
    /// previous entry); false at the array's end. An entry that is not an object reads as empty.
    /// </summary>
    public static bool TryReadNext(ref Utf8JsonReader reader, out OpenAIToolCallFields call)
    {
        call = default;
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return true;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                call.ReadFunction(ref reader);
            }
            else if (reader.ValueTextEquals("index"u8))
            {
                call.Index = RawJson.ReadValueRange(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                call.Id = RawJson.ReadValueRange(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return true;
    }

    private void ReadFunction(ref Utf8JsonReader reader)
    {
        HasFunction = false;
        Name = Arguments = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        HasFunction = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("arguments"u8))
            {
                Arguments = RawJson.ReadValueRange(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                Name = RawJson.ReadValueRange(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }
}
