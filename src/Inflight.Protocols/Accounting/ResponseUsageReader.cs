using System.Text.Json;

namespace Inflight.Protocols.Accounting;

/// <summary>Accounts a complete (non-streamed) response body: usage and tool calls.</summary>
public static class ResponseUsageReader
{
    /// <summary>
    /// Reports the usage in <paramref name="responseJson"/> (mapped as the stream accountants do) and
    /// one <see cref="IUsageListener.OnToolCall"/> per tool call: Anthropic <c>content</c> blocks of type
    /// <c>tool_use</c>/<c>server_tool_use</c>/<c>mcp_tool_use</c>; OpenAI
    /// <c>choices[0].message.tool_calls</c>; Responses <c>output</c> items whose type ends in <c>_call</c>. When the body has no output count (some compatible servers
    /// omit usage) the output is estimated from the generated text and tool arguments instead.
    /// Malformed JSON reports nothing and does not throw.
    /// </summary>
    public static void Read(ApiFormat format, ReadOnlySpan<byte> responseJson, IUsageListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);

        long units = 0;
        var toolCalls = 0;
        UsageReport? usage = null;
        try
        {
            var reader = new Utf8JsonReader(responseJson);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    usage = UsageJson.ReadUsageValue(ref reader, format) ?? usage;
                }
                else if (format == ApiFormat.Anthropic && reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    units += ReadAnthropicContent(ref reader, responseJson, ref toolCalls);
                }
                else if (format == ApiFormat.Responses && reader.ValueTextEquals("output"u8))
                {
                    reader.Read();
                    units += ReadResponsesOutput(ref reader, ref toolCalls);
                }
                else if (format == ApiFormat.OpenAI && reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    units += ReadOpenAIChoices(ref reader, ref toolCalls);
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

        // Without a provider output count, estimate it from the generated text and tool input.
        var estimated = usage?.OutputTokens is null && units > 0 ? default(OutputTokenEstimate).Add(units) : 0;
        listener.Report(toolCalls, estimated, usage);
    }

    private static long ReadAnthropicContent(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    if (AnthropicStreamAccountant.IsToolUseType(ref reader))
                    {
                        toolCalls++;
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("text"u8)
                    || reader.ValueTextEquals("thinking"u8)
                    || reader.ValueTextEquals("name"u8))
                {
                    units += JsonFields.WeighString(ref reader);
                }
                else if (reader.ValueTextEquals("input"u8))
                {
                    // Tool input is generated JSON: weigh its raw text, as a stream's input_json_delta would be.
                    reader.Read();
                    var start = reader.TokenStartIndex;
                    reader.Skip();
                    units += TokenEstimator.Weigh(json[(int)start..(int)reader.BytesConsumed]);
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }

        return units;
    }

    /// <summary>
    /// A Responses <c>output</c> array: generated text is every string named <c>text</c> (message
    /// <c>output_text</c> parts, reasoning summaries), <c>arguments</c>, <c>input</c> (custom tools) or
    /// <c>refusal</c>, at any depth; encrypted reasoning is not text.
    /// </summary>
    private static long ReadResponsesOutput(ref Utf8JsonReader reader, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.EndsWith("_call"u8))
                    {
                        toolCalls++;
                    }
                }
                else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("arguments"u8)
                    || reader.ValueTextEquals("input"u8) || reader.ValueTextEquals("refusal"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        units += TokenEstimator.Weigh(reader.ValueSpan);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("encrypted_content"u8))
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }

        return units;
    }

    private static long ReadOpenAIChoices(ref Utf8JsonReader reader, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        // Only the first choice counts: n > 1 asks for alternatives, of which a client uses one.
        reader.Read();
        long units = 0;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    units += ReadOpenAIMessage(ref reader, ref toolCalls);
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }
        else if (reader.TokenType == JsonTokenType.EndArray)
        {
            return 0;
        }
        else
        {
            reader.Skip();
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
        }

        return units;
    }

    private static long ReadOpenAIMessage(ref Utf8JsonReader reader, ref int toolCalls)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long units = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (OpenAIMessageJson.IsGeneratedText(ref reader))
            {
                units += JsonFields.WeighString(ref reader);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    toolCalls++;
                    units += WeighToolCall(ref reader);
                }
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return units;
    }

    private static long WeighToolCall(ref Utf8JsonReader reader)
    {
        long units = 0;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("function"u8))
            {
                units += OpenAIMessageJson.WeighFunction(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return units;
    }
}
