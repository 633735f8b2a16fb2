using System.Runtime.InteropServices;
using System.Text.Json;
using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Translation;

/// <summary>
/// A Responses API <c>usage</c> object. Its <c>input_tokens</c> counts every prompt token, cached or not
/// (as Chat's <c>prompt_tokens</c> does), with cache reads and writes broken out in
/// <c>input_tokens_details</c>; <c>output_tokens</c> includes reasoning tokens.
/// </summary>
internal readonly record struct ResponsesUsage(long InputTokens, long CachedTokens, long CacheWriteTokens, long OutputTokens, long ReasoningTokens)
{
    /// <summary>
    /// From a Chat Completions <c>usage</c> object, read the way the tracker reads it
    /// (<see cref="UsageJson.ReadOpenAI"/>: OpenRouter's cache writes, DeepSeek's cache hits) so the client
    /// and the dashboard report the same figures. Null when the object reports no counts.
    /// </summary>
    public static ResponsesUsage? FromOpenAI(JsonElement usage)
        => usage.ValueKind == JsonValueKind.Object ? FromOpenAI(JsonMarshal.GetRawUtf8Value(usage)) : null;

    /// <summary>As <see cref="FromOpenAI(JsonElement)"/>, from the object's bytes (well-formed JSON); allocates nothing.</summary>
    public static ResponsesUsage? FromOpenAI(ReadOnlySpan<byte> usage)
    {
        var reader = RawJson.Open(usage);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var report = UsageJson.ReadOpenAI(ref reader);
        if (!UsageJson.HasAny(report))
        {
            return null;
        }

        return FromAnthropic(report.InputTokens ?? 0, report.CacheReadTokens ?? 0, report.CacheCreationTokens ?? 0, report.OutputTokens ?? 0) with
        {
            ReasoningTokens = ReadReasoningTokens(usage),
        };
    }

    /// <summary><c>completion_tokens_details.reasoning_tokens</c>, 0 when absent or not a whole number.</summary>
    private static long ReadReasoningTokens(ReadOnlySpan<byte> usage)
    {
        long reasoning = 0;
        var reader = RawJson.Open(usage);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                reasoning = 0;
                continue;
            }

            reasoning = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isReasoning = reader.ValueTextEquals("reasoning_tokens"u8);
                reader.Read();
                if (isReasoning)
                {
                    reasoning = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : 0;
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return reasoning;
    }

    /// <summary>From Anthropic's counts, where <c>input_tokens</c> excludes cache reads and writes.</summary>
    public static ResponsesUsage FromAnthropic(long input, long cacheRead, long cacheCreation, long output)
        => new(input + cacheRead + cacheCreation, cacheRead, cacheCreation, output, 0);

    public long TotalTokens => InputTokens + OutputTokens;

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("input_tokens"u8, InputTokens);
        w.WriteStartObject("input_tokens_details"u8);
        w.WriteNumber("cached_tokens"u8, CachedTokens);
        w.WriteNumber("cache_write_tokens"u8, CacheWriteTokens);
        w.WriteEndObject();
        w.WriteNumber("output_tokens"u8, OutputTokens);
        w.WriteStartObject("output_tokens_details"u8);
        w.WriteNumber("reasoning_tokens"u8, ReasoningTokens);
        w.WriteEndObject();
        w.WriteNumber("total_tokens"u8, TotalTokens);
        w.WriteEndObject();
    }
}
