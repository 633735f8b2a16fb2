using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
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
/// the request is walked on the gateway's own parse of the body (its raw bytes hashed in place), and only
/// blocks not seen before are tokenized. The count is the same as without the cache.
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

    [ThreadStatic]
    private static XxHash128? t_hasher;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
        ToolList = 5,
    }

    /// <summary>The process-wide counter, with a cache of about 4 MB; the vocabulary loads once, on first use (about 100 ms).</summary>
    public static LocalTokenCounter Shared => s_shared.Value;

    /// <summary>The shared counter's cache figures, without loading the vocabulary if nothing was counted yet.</summary>
    public static CacheStats SharedCacheStats => s_shared.IsValueCreated ? s_shared.Value.CacheStats : CacheStats.None;

    /// <summary>Hits and misses of the block cache (all zero for a counter without one).</summary>
    public CacheStats CacheStats => _cache?.Stats ?? CacheStats.None;

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
    public byte[] CountTokensResponse(JsonElement anthropicRequest)
        => Encoding.UTF8.GetBytes($$"""{"input_tokens":{{CountAnthropicRequest(anthropicRequest)}}}""");

    /// <summary>Input tokens of an Anthropic Messages (or count_tokens) request body.</summary>
    /// <exception cref="TranslationException">400 when the body is not valid UTF-8 JSON or not an object.</exception>
    public int CountAnthropicRequest(ReadOnlyMemory<byte> anthropicRequestJson)
    {
        using var document = JsonInput.ParseObject(anthropicRequestJson, "request body");
        return CountAnthropicRequest(document.RootElement);
    }

    /// <summary>
    /// Input tokens of an Anthropic Messages (or count_tokens) request the caller already parsed: the gateway's one
    /// parse of the body serves the inspector, this count and the request translator.
    /// </summary>
    /// <exception cref="TranslationException">400 when the request is not an object, or a text it must tokenize is not valid UTF-8.</exception>
    public int CountAnthropicRequest(JsonElement anthropicRequest) => CountAnthropicRequest(anthropicRequest, exchange: null);

    /// <summary>
    /// As <see cref="CountAnthropicRequest(JsonElement)"/> for a request about to be translated: the hash of its tool list,
    /// which the count takes anyway, is left on <paramref name="exchange"/> for the translator's look-up of the same list.
    /// </summary>
    public int CountAnthropicRequest(JsonElement anthropicRequest, TranslationContext? exchange)
    {
        if (anthropicRequest.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "The request body must be a JSON object.");
        }

        try
        {
            return CountRequest(anthropicRequest, exchange);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is DecoderFallbackException)
        {
            // A document parsed without a UTF-8 check (the gateway's parse checks it) fails only where a text is read.
            throw new TranslationException(400, $"The request body is not valid JSON: {ex.Message}");
        }
    }

    private int CountRequest(JsonElement request, TranslationContext? exchange)
    {
        // Every occurrence of a member counts, as a reader pass over the bytes would (the gateway's parse refuses duplicates).
        var total = PerRequestOverhead;
        var tools = 0;
        var forced = false;
        foreach (var member in request.EnumerateObject())
        {
            if (member.NameEquals("system"u8))
            {
                total += CountSystem(member.Value);
            }
            else if (member.NameEquals("messages"u8))
            {
                total += CountMessages(member.Value);
            }
            else if (member.NameEquals("tools"u8))
            {
                total += CountTools(member.Value, out tools, exchange);
            }
            else if (member.NameEquals("tool_choice"u8))
            {
                forced = IsForcedToolChoice(member.Value);
            }
        }

        if (tools > 0)
        {
            total += forced ? ToolSystemPromptForced : ToolSystemPromptAuto;
        }

        return Math.Max(1, total);
    }

    private int CountSystem(JsonElement system)
    {
        if (system.ValueKind == JsonValueKind.String)
        {
            return CountCachedString(system);
        }

        if (system.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        var total = 0;
        foreach (var block in system.EnumerateArray())
        {
            total += CountCachedBlock(block, BlockKind.SystemBlock);
        }

        return total;
    }

    private int CountMessages(JsonElement messages)
    {
        if (messages.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        var total = 0;
        foreach (var message in messages.EnumerateArray())
        {
            total += PerMessageOverhead;
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var member in message.EnumerateObject())
            {
                if (!member.NameEquals("content"u8))
                {
                    continue;
                }

                var content = member.Value;
                if (content.ValueKind == JsonValueKind.String)
                {
                    total += CountCachedString(content);
                }
                else if (content.ValueKind == JsonValueKind.Array)
                {
                    foreach (var block in content.EnumerateArray())
                    {
                        total += CountCachedBlock(block, BlockKind.ContentBlock);
                    }
                }
            }
        }

        return total;
    }

    private int CountTools(JsonElement toolList, out int tools, TranslationContext? exchange)
    {
        tools = 0;
        if (toolList.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        // The whole list first, by its raw bytes (one hash, no walk over its members): Claude Code resends the same
        // list every turn. A list that differs (a tool added, a cache marker moved) still finds each tool's own count.
        // The hash is the translated-tool-list cache's key, kept on the exchange so translation does not hash again.
        tools = toolList.GetArrayLength();
        UInt128 key = default;
        if (_cache is not null)
        {
            var raw = JsonMarshal.GetRawUtf8Value(toolList);
            var listKey = ToolListCache.Key(raw);
            exchange?.KeepToolListKey(raw.Length, listKey);
            key = new UInt128((ulong)BlockKind.ToolList, listKey);
            if (_cache.TryGet(key, out var cached))
            {
                return cached;
            }
        }

        var total = 0;
        foreach (var tool in toolList.EnumerateArray())
        {
            total += PerToolOverhead + CountCachedBlock(tool, BlockKind.Tool);
        }

        _cache?.Add(key, total);
        return total;
    }

    private static bool IsForcedToolChoice(JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var forced = false;
        foreach (var member in choice.EnumerateObject())
        {
            if (member.NameEquals("type"u8) && member.Value.ValueKind == JsonValueKind.String)
            {
                forced = member.Value.ValueEquals("any"u8) || member.Value.ValueEquals("tool"u8);
            }
        }

        return forced;
    }

    /// <summary>A string value (a plain-string system prompt or message content), counted once per distinct value.</summary>
    private int CountCachedString(JsonElement text)
    {
        if (_cache is null)
        {
            return CountString(text);
        }

        var hasher = StartHash(BlockKind.Text);
        hasher.Append(StringContent(text));
        var key = hasher.GetCurrentHashAsUInt128();
        if (_cache.TryGet(key, out var count))
        {
            return count;
        }

        count = CountString(text);
        _cache.Add(key, count);
        return count;
    }

    /// <summary>
    /// A system block, tool definition or content block. Anything but an object counts nothing. Tokenized only when
    /// its hash is not in the cache.
    /// </summary>
    private int CountCachedBlock(JsonElement block, BlockKind kind)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }

        UInt128 key = default;
        if (_cache is not null)
        {
            key = HashBlock(block, kind);
            if (_cache.TryGet(key, out var cached))
            {
                return cached;
            }
        }

        var count = kind switch
        {
            BlockKind.SystemBlock => CountString(StringValue(block, "text")),
            BlockKind.Tool => CountString(StringValue(block, "name"))
                + CountString(StringValue(block, "description"))
                + (block.TryGetProperty("input_schema"u8, out var schema) && schema.ValueKind != JsonValueKind.Null ? CountCompactJson(schema) : 0),
            _ => CountContentBlock(block),
        };

        _cache?.Add(key, count);
        return count;
    }

    /// <summary>
    /// Hashes the block's members except <c>cache_control</c>, each as <c>"name":value</c> in its raw (escaped) bytes. A
    /// plain text block (<c>type</c> and <c>text</c> only) counts exactly its text, so it takes the key of that text as a
    /// plain string: Claude Code sends a message's text as a block on one turn and as a string on the next.
    /// </summary>
    private static UInt128 HashBlock(JsonElement block, BlockKind kind)
    {
        var hasher = StartHash(kind);
        var members = 0;
        var textType = false;
        ReadOnlySpan<byte> text = default;
        var hasText = false;
        foreach (var member in block.EnumerateObject())
        {
            if (member.NameEquals("cache_control"u8))
            {
                continue;
            }

            var value = member.Value;
            if (value.ValueKind == JsonValueKind.String)
            {
                if (member.NameEquals("type"u8))
                {
                    textType |= value.ValueEquals("text"u8);
                }
                else if (member.NameEquals("text"u8))
                {
                    text = StringContent(value);
                    hasText = true;
                }
            }

            members++;
            hasher.Append("\""u8);
            hasher.Append(JsonMarshal.GetRawUtf8PropertyName(member));
            hasher.Append("\":"u8);
            hasher.Append(JsonMarshal.GetRawUtf8Value(value));
        }

        if (members == 2 && textType && hasText)
        {
            hasher = StartHash(BlockKind.Text);
            hasher.Append(text);
        }

        return hasher.GetCurrentHashAsUInt128();
    }

    /// <summary>A string value's raw bytes between its quotes (still escaped): what its key hashes.</summary>
    private static ReadOnlySpan<byte> StringContent(JsonElement text) => JsonMarshal.GetRawUtf8Value(text)[1..^1];

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
        "text" => CountString(StringValue(block, "text")),
        "image" => ObjectProperty(block, "source") is { } source && StringProperty(source, "type") == "base64"
            ? ImageTokens.Estimate(StringProperty(source, "data"))
            : ImageTokens.Unknown,
        "tool_use" => CountString(StringValue(block, "name"))
            + (block.TryGetProperty("input"u8, out var input) && input.ValueKind != JsonValueKind.Null ? CountCompactJson(input) : CountText("{}")),
        "tool_result" => block.TryGetProperty("content"u8, out var content) ? CountNestedContent(content) : 0,
        "document" => ObjectProperty(block, "source") is { } source && StringProperty(source, "type") == "text"
            ? CountString(StringValue(source, "data"))
            : DocumentEstimate,
        _ => 0, // thinking / redacted_thinking: not part of the context on later turns.
    };

    /// <summary>A tool_result's content: a string, or blocks counted like a message's.</summary>
    private int CountNestedContent(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return CountString(content);
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

    /// <summary>
    /// Counts a string value without making a <see cref="string"/> of it: unescaped into pooled characters (a cold count
    /// tokenizes every text of a 77 KB body; as strings that was most of what it allocated). Invalid UTF-8 fails as
    /// <see cref="JsonElement.GetString"/> does.
    /// </summary>
    private int CountString(JsonElement? text)
    {
        if (text is not { } value)
        {
            return 0;
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length <= 2)
        {
            return 0;
        }

        // Unescaped, a string never has more UTF-16 characters than its escaped UTF-8 bytes.
        var chars = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            var length = JsonStringChars.Unescape(raw[1..^1], chars);
            if (length < 0)
            {
                // Invalid UTF-8 or a lone surrogate: the reader's own unescaping decides (and fails as GetString does).
                var reader = new Utf8JsonReader(raw);
                reader.Read();
                length = reader.CopyString(chars);
            }

            return _tokenizer.Count(chars.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>A value's compact JSON, counted: its raw bytes when they are already that JSON, else written out first.</summary>
    private int CountCompactJson(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (!WrittenAsIs.Is(raw))
        {
            return CountText(CompactJson(value));
        }

        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, raw.Length));
        try
        {
            return s_strictUtf8.TryGetChars(raw, chars, out var length)
                ? _tokenizer.Count(chars.AsSpan(0, length))
                : CountText(CompactJson(value));
        }
        catch (DecoderFallbackException)
        {
            // Not valid UTF-8: the writer decides what that means, as it did before this shortcut.
            return CountText(CompactJson(value));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static JsonElement? StringValue(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value : null;

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
