using System.Buffers;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Counts the input tokens of an Anthropic Messages request locally, for <c>count_tokens</c> on providers
/// that have no such endpoint and for the input estimate in a translated stream's <c>message_start</c>.
/// </summary>
/// <remarks>
/// <para>
/// Tokenizer: OpenAI's o200k_base (the vocabulary ships inside Microsoft.ML.Tokenizers.Data.O200kBase, so
/// it works offline). It is <b>not</b> Claude's tokenizer, which Anthropic does not publish. On English
/// prose and code Claude's tokenizer typically yields about 10–30% more tokens than o200k (and newer
/// Claude models more still), so treat these counts as an estimate that tends to be low; non-English text
/// can differ more. Right for context-use displays and budgeting with a margin, not for billing.
/// Texts are counted by <see cref="O200kTokenCounter"/>: the library's count, about five times faster.
/// </para>
/// <para>
/// What is counted, following how the API builds the prompt: the system prompt; each message's text,
/// tool_use (name + input JSON) and tool_result content plus a small per-message overhead; each tool
/// definition's name, description and input_schema JSON, plus the tool-use system prompt Anthropic
/// documents (346 tokens with tool_choice auto/none, 313 with any/tool, "Tool use" pricing table);
/// images by Anthropic's documented (width × height) / 750 rule (see <see cref="ImageTokens"/>).
/// Thinking blocks from earlier turns are not counted: the API strips them from the context.
/// </para>
/// <para>
/// Cache: Claude Code resends the same system prompt and tool definitions on every turn and grows its
/// conversation one turn at a time, and tokenizing is the expensive part (about 10 MB/s). So each system
/// block, tool definition and message content block is counted once and remembered under a hash of its
/// bytes (its members other than <c>cache_control</c>, which moves between turns and counts nothing);
/// the request is walked with a <see cref="Utf8JsonReader"/>, and only blocks not seen before are parsed
/// and tokenized. The count is the same as without the cache.
/// </para>
/// </remarks>
public sealed class LocalTokenCounter
{
    private const int PerMessageOverhead = 3;
    private const int PerRequestOverhead = 3;
    private const int PerToolOverhead = 5;
    private const int ToolSystemPromptAuto = 346;
    private const int ToolSystemPromptForced = 313;
    private const int DocumentEstimate = 1500;

    private static readonly Lazy<O200kTokenCounter> s_o200k = new(O200kTokenCounter.Create);
    private static readonly Lazy<LocalTokenCounter> s_shared = new(() => new LocalTokenCounter(s_o200k.Value, new TokenCountCache(TokenCountCache.DefaultCapacity)));
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = JsonOutput.DocumentOptions.MaxDepth };

    [ThreadStatic]
    private static XxHash128? t_hasher;

    private readonly O200kTokenCounter _tokenizer;
    private readonly TokenCountCache? _cache;

    private LocalTokenCounter(O200kTokenCounter tokenizer, TokenCountCache? cache)
    {
        _tokenizer = tokenizer;
        _cache = cache;
    }

    /// <summary>What is cached, so equal bytes in different roles never share a count.</summary>
    private enum BlockKind : byte
    {
        Text = 1,
        SystemBlock = 2,
        Tool = 3,
        ContentBlock = 4,
    }

    /// <summary>The process-wide counter, with a cache of about 4 MB; the vocabulary loads once, on first use (about 100 ms).</summary>
    public static LocalTokenCounter Shared => s_shared.Value;

    /// <summary>The shared counter's cache figures, without loading the vocabulary if nothing was counted yet.</summary>
    public static TokenCountCacheStats SharedCacheStats => s_shared.IsValueCreated ? s_shared.Value.CacheStats : TokenCountCacheStats.None;

    /// <summary>Hits and misses of the block cache (all zero for a counter without one).</summary>
    public TokenCountCacheStats CacheStats => _cache?.Stats ?? TokenCountCacheStats.None;

    /// <summary>A counter with a cache of its own (<paramref name="capacity"/> blocks), or none when it is 0.</summary>
    internal static LocalTokenCounter Create(int capacity)
        => new(s_o200k.Value, capacity > 0 ? new TokenCountCache(capacity) : null);

    /// <summary>Forgets every cached count, as a new process would start (benchmarks of a conversation's first turn).</summary>
    internal void ClearCache() => _cache?.Clear();

    public int CountText(string? text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.Count(text);

    /// <summary>
    /// Answers a <c>POST /v1/messages/count_tokens</c> body (same shape as a Messages request) with
    /// <c>{"input_tokens": N}</c>, as Anthropic does.
    /// </summary>
    public byte[] CountTokensResponse(ReadOnlySpan<byte> anthropicRequestJson)
        => Encoding.UTF8.GetBytes($$"""{"input_tokens":{{CountAnthropicRequest(anthropicRequestJson)}}}""");

    /// <summary>Input tokens of an Anthropic Messages (or count_tokens) request body.</summary>
    /// <exception cref="TranslationException">400 when the body is not a JSON object.</exception>
    public int CountAnthropicRequest(ReadOnlySpan<byte> anthropicRequestJson)
    {
        try
        {
            return CountRequest(anthropicRequestJson);
        }
        catch (JsonException ex)
        {
            throw new TranslationException(400, $"The request body is not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex) when (ex.InnerException is DecoderFallbackException)
        {
            // The reader checks UTF-8 only when a string is read; a full parse would have refused the body.
            throw new TranslationException(400, $"The request body is not valid JSON: {ex.Message}");
        }
    }

    private int CountRequest(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, s_readerOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new TranslationException(400, "The request body must be a JSON object.");
        }

        var total = PerRequestOverhead;
        var tools = 0;
        var forced = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("system"u8))
            {
                reader.Read();
                total += CountSystem(ref reader, json);
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                reader.Read();
                total += CountMessages(ref reader, json);
            }
            else if (reader.ValueTextEquals("tools"u8))
            {
                reader.Read();
                total += CountTools(ref reader, json, out tools);
            }
            else if (reader.ValueTextEquals("tool_choice"u8))
            {
                reader.Read();
                forced = IsForcedToolChoice(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Anything after the object (a second value, garbage) is invalid JSON, as for a full parse.
        reader.Read();
        if (tools > 0)
        {
            total += forced ? ToolSystemPromptForced : ToolSystemPromptAuto;
        }

        return Math.Max(1, total);
    }

    private int CountSystem(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return CountCachedString(ref reader);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        var total = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            total += CountCachedBlock(ref reader, json, BlockKind.SystemBlock);
        }

        return total;
    }

    private int CountMessages(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        var total = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            total += PerMessageOverhead;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isContent = reader.ValueTextEquals("content"u8);
                reader.Read();
                if (!isContent)
                {
                    reader.Skip();
                }
                else if (reader.TokenType == JsonTokenType.String)
                {
                    total += CountCachedString(ref reader);
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        total += CountCachedBlock(ref reader, json, BlockKind.ContentBlock);
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return total;
    }

    private int CountTools(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, out int tools)
    {
        tools = 0;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        var total = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            tools++;
            total += PerToolOverhead + CountCachedBlock(ref reader, json, BlockKind.Tool);
        }

        return total;
    }

    private static bool IsForcedToolChoice(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var forced = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String)
            {
                forced = reader.ValueTextEquals("any"u8) || reader.ValueTextEquals("tool"u8);
            }
            else
            {
                reader.Skip();
            }
        }

        return forced;
    }

    /// <summary>A string value (a plain-string system prompt or message content), counted once per distinct value.</summary>
    private int CountCachedString(ref Utf8JsonReader reader)
    {
        if (_cache is null)
        {
            return CountText(reader.GetString());
        }

        var hasher = StartHash(BlockKind.Text);
        hasher.Append(reader.ValueSpan);
        var key = hasher.GetCurrentHashAsUInt128();
        if (_cache.TryGet(key, out var count))
        {
            return count;
        }

        count = CountText(reader.GetString());
        _cache.Add(key, count);
        return count;
    }

    /// <summary>
    /// A system block, tool definition or content block (the reader on its first token; left on its last).
    /// Anything but an object counts nothing. Parsed and tokenized only when its hash is not in the cache.
    /// </summary>
    private int CountCachedBlock(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, BlockKind kind)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        UInt128 key = default;
        if (_cache is not null)
        {
            var probe = reader;
            key = HashBlock(ref probe, json, kind);
            if (_cache.TryGet(key, out var cached))
            {
                reader = probe;
                return cached;
            }
        }

        int count;
        using (var block = JsonDocument.ParseValue(ref reader))
        {
            var element = block.RootElement;
            count = kind switch
            {
                BlockKind.SystemBlock => CountText(StringProperty(element, "text")),
                BlockKind.Tool => CountText(StringProperty(element, "name"))
                    + CountText(StringProperty(element, "description"))
                    + (element.TryGetProperty("input_schema", out var schema) && schema.ValueKind != JsonValueKind.Null ? CountText(CompactJson(schema)) : 0),
                _ => CountContentBlock(element),
            };
        }

        _cache?.Add(key, count);
        return count;
    }

    /// <summary>
    /// Hashes the block's members except <c>cache_control</c>; leaves the reader on the block's end. A plain
    /// text block (<c>type</c> and <c>text</c> only) counts exactly its text, so it takes the key of that text as
    /// a plain string: Claude Code sends a message's text as a block on one turn and as a string on the next.
    /// </summary>
    private static UInt128 HashBlock(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, BlockKind kind)
    {
        var hasher = StartHash(kind);
        var members = 0;
        var textType = false;
        var textStart = -1;
        var textLength = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var skipped = reader.ValueTextEquals("cache_control"u8);
            var isType = reader.ValueTextEquals("type"u8);
            var isText = reader.ValueTextEquals("text"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                textType |= isType && reader.ValueTextEquals("text"u8);
                if (isText)
                {
                    textStart = (int)reader.TokenStartIndex + 1;
                    textLength = reader.ValueSpan.Length;
                }
            }

            reader.Skip();
            if (!skipped)
            {
                members++;
                hasher.Append(json[start..(int)reader.BytesConsumed]);
            }
        }

        if (members == 2 && textType && textStart >= 0)
        {
            hasher = StartHash(BlockKind.Text);
            hasher.Append(json.Slice(textStart, textLength));
        }

        return hasher.GetCurrentHashAsUInt128();
    }

    private static XxHash128 StartHash(BlockKind kind)
    {
        var hasher = t_hasher ??= new XxHash128();
        hasher.Reset();
        ReadOnlySpan<byte> tag = [(byte)kind];
        hasher.Append(tag);
        return hasher;
    }

    private int CountContentBlock(JsonElement block) => StringProperty(block, "type") switch
    {
        "text" => CountText(StringProperty(block, "text")),
        "image" => ObjectProperty(block, "source") is { } source && StringProperty(source, "type") == "base64"
            ? ImageTokens.Estimate(StringProperty(source, "data"))
            : ImageTokens.Unknown,
        "tool_use" => CountText(StringProperty(block, "name"))
            + CountText(block.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null ? CompactJson(input) : "{}"),
        "tool_result" => block.TryGetProperty("content", out var content) ? CountNestedContent(content) : 0,
        "document" => ObjectProperty(block, "source") is { } source && StringProperty(source, "type") == "text"
            ? CountText(StringProperty(source, "data"))
            : DocumentEstimate,
        _ => 0, // thinking / redacted_thinking: not part of the context on later turns.
    };

    /// <summary>A tool_result's content: a string, or blocks counted like a message's.</summary>
    private int CountNestedContent(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return CountText(content.GetString());
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        var total = 0;
        foreach (var block in content.EnumerateArray())
        {
            total += block.ValueKind == JsonValueKind.Object ? CountContentBlock(block) : 0;
        }

        return total;
    }

    private static string? StringProperty(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? ObjectProperty(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>The value as compact JSON, written exactly as the translators write it (relaxed escaping).</summary>
    private static string CompactJson(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
