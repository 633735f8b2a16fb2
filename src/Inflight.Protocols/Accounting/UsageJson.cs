using System.Text.Json;

namespace Inflight.Protocols.Accounting;

/// <summary>Reads the providers' usage objects into a <see cref="UsageReport"/> without allocating.</summary>
internal static class UsageJson
{
    /// <summary>
    /// The value of a <c>usage</c> property in <paramref name="format"/>'s shape, the reader on that value;
    /// null (the value skipped) when it is not an object.
    /// </summary>
    public static UsageReport? ReadUsageValue(ref Utf8JsonReader reader, ApiFormat format)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        return format switch
        {
            ApiFormat.Anthropic => ReadAnthropic(ref reader),
            ApiFormat.Responses => ReadResponses(ref reader),
            _ => ReadOpenAI(ref reader),
        };
    }

    /// <summary>
    /// The <c>usage</c> inside an object that holds one (Anthropic's <c>message_start.message</c>, a
    /// Responses event's <c>response</c>), the reader on that object; null when there is none.
    /// </summary>
    public static UsageReport? ReadNestedUsage(ref Utf8JsonReader reader, ApiFormat format)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        UsageReport? usage = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                usage = ReadUsageValue(ref reader, format);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return usage;
    }

    /// <summary>
    /// Anthropic <c>usage</c> (Messages API reference, "Usage"): <c>input_tokens</c> already excludes
    /// cache reads and writes, so the fields map one to one. Nested objects (<c>cache_creation</c>,
    /// <c>server_tool_use</c>) are skipped. The reader is on the object's start and ends on its end.
    /// </summary>
    public static UsageReport ReadAnthropic(ref Utf8JsonReader reader)
    {
        long? input = null, output = null, cacheRead = null, cacheCreation = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                input = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                output = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                cacheRead = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                cacheCreation = ReadCount(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return new UsageReport(input, output, cacheRead, cacheCreation);
    }

    /// <summary>
    /// OpenAI Chat Completions <c>usage</c>. Decision: Inflight reports input tokens with Anthropic's
    /// meaning — tokens that were neither read from nor written to the prompt cache — so totals add up
    /// the same whichever provider served a request. OpenAI's <c>prompt_tokens</c> includes cached
    /// tokens (<c>prompt_tokens_details.cached_tokens</c>), so input = prompt_tokens − cached_tokens and
    /// cache_read = cached_tokens. Compatible providers' variants are read too: OpenRouter's
    /// <c>prompt_tokens_details.cache_write_tokens</c> (also inside prompt_tokens, so subtracted and
    /// reported as cache creation) and DeepSeek's top-level <c>prompt_cache_hit_tokens</c>.
    /// Output is <c>completion_tokens</c>, which already includes reasoning tokens.
    /// </summary>
    public static UsageReport ReadOpenAI(ref Utf8JsonReader reader)
    {
        long? prompt = null, completion = null, cached = null, cacheWrite = null, deepSeekHit = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                prompt = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                completion = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_cache_hit_tokens"u8))
            {
                deepSeekHit = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8))
                    {
                        cached = ReadCount(ref reader);
                    }
                    else if (reader.ValueTextEquals("cache_write_tokens"u8))
                    {
                        cacheWrite = ReadCount(ref reader);
                    }
                    else
                    {
                        JsonFields.SkipValue(ref reader);
                    }
                }
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        cached ??= deepSeekHit;
        long? input = prompt is { } p ? Math.Max(0, p - (cached ?? 0) - (cacheWrite ?? 0)) : null;
        return new UsageReport(input, completion, cached, cacheWrite);
    }

    /// <summary>
    /// OpenAI Responses <c>usage</c> (API reference, "The response object"): <c>input_tokens</c> includes
    /// <c>input_tokens_details.cached_tokens</c>, so, as for Chat Completions, input = input_tokens −
    /// cached_tokens and cache_read = cached_tokens. <c>output_tokens</c> already includes
    /// <c>output_tokens_details.reasoning_tokens</c>, which therefore needs no separate count.
    /// </summary>
    public static UsageReport ReadResponses(ref Utf8JsonReader reader)
    {
        long? input = null, output = null, cached = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                input = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                output = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("input_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8))
                    {
                        cached = ReadCount(ref reader);
                    }
                    else
                    {
                        JsonFields.SkipValue(ref reader);
                    }
                }
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        long? uncached = input is { } i ? Math.Max(0, i - (cached ?? 0)) : null;
        return new UsageReport(uncached, output, cached, null);
    }

    public static bool HasAny(UsageReport usage)
        => usage.InputTokens is not null || usage.OutputTokens is not null
            || usage.CacheReadTokens is not null || usage.CacheCreationTokens is not null;

    /// <summary>Moves from a property name to its value; a non-negative integer or null when it is anything else.</summary>
    private static long? ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0)
        {
            return value;
        }

        reader.Skip();
        return null;
    }
}
