using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Turns Anthropic's Messages stream events into OpenAI <c>chat.completion.chunk</c> events as each one
/// arrives: a role chunk, content deltas, tool calls (index, id, type, function name, then argument
/// fragments), a finish_reason chunk, a usage chunk (<c>choices: []</c>) only when the client sent
/// <c>stream_options.include_usage</c>, then <c>data: [DONE]</c>.
/// </summary>
/// <remarks>
/// Use like <see cref="OpenAIToAnthropicStreamTranslator"/>: feed it through an <see cref="SseEventReader"/>,
/// flush the writer after each upstream chunk, <see cref="WritePing"/> while waiting (an SSE comment,
/// which OpenAI clients skip), <see cref="WriteError(int, ReadOnlySpan{byte})"/> on upstream failure,
/// <see cref="Complete"/> when the upstream ends.
/// </remarks>
public sealed class AnthropicToOpenAIStreamTranslator : ISseEventHandler, IDisposable
{
    private readonly TranslationContext _ctx;
    private readonly SseOutput _out;
    private readonly ScratchBuffer _scratch = new();

    // Anthropic content block index → OpenAI tool_calls index (-1: not a tool block).
    private int[] _blockTools = [];

    // Per OpenAI tool index: whether any argument fragment was sent (an empty input must still read "{}").
    private bool[] _toolHasArgs = [];
    private int _toolCount;
    private bool _started;
    private bool _finishSent;
    private string _id = "";
    private string _model = "";
    private long _created;
    private long _inputTokens;
    private long _cacheReadTokens;
    private long _cacheCreationTokens;
    private long _outputTokens;

    public AnthropicToOpenAIStreamTranslator(TranslationContext ctx, IBufferWriter<byte> output)
    {
        _ctx = ctx;
        _out = new SseOutput(output);
    }

    /// <summary>True once <c>[DONE]</c> or an error was written; later input is ignored.</summary>
    public bool IsFinished { get; private set; }

    public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (IsFinished)
        {
            return;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(_scratch.Copy(data));
        }
        catch (JsonException)
        {
            _ctx.Drop("malformed upstream stream event");
            return;
        }

        using (doc)
        {
            var root = doc.RootElement;
            try
            {
                if (root.ValueKind == JsonValueKind.Object)
                {
                    OnUpstreamEvent(root);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException)
            {
                // A field of an unexpected JSON kind: skip the event rather than fail the whole response.
                _ctx.Drop("malformed upstream stream event");
            }
        }
    }

    private void OnUpstreamEvent(JsonElement e)
    {
        // The data's own "type" names the event (Anthropic repeats it there), so a missing event: line is fine.
        var type = e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "message_start":
                OnMessageStart(e.TryGetProperty("message", out var message) ? message : default);
                break;
            case "content_block_start":
                EnsureStarted();
                OnBlockStart(Index(e), e.GetProperty("content_block"));
                break;
            case "content_block_delta":
                EnsureStarted();
                OnBlockDelta(Index(e), e.GetProperty("delta"));
                break;
            case "content_block_stop":
                OnBlockStop(Index(e));
                break;
            case "message_delta":
                EnsureStarted();
                if (e.TryGetProperty("usage", out var usage))
                {
                    ReadUsage(usage);
                }

                if (e.TryGetProperty("delta", out var delta) && delta.TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String)
                {
                    WriteFinish(StopReasons.ToOpenAI(stop.GetString()));
                }

                break;
            case "message_stop":
                Complete();
                break;
            case "error":
                WriteErrorBody(ErrorTranslator.AnthropicToOpenAI(0, JsonMarshal.GetRawUtf8Value(e)).Body);
                break;
            default:
                break; // ping, and event types added later: nothing to tell an OpenAI client.
        }
    }

    private void OnMessageStart(JsonElement message)
    {
        string? id = null;
        string? model = null;
        if (message.ValueKind == JsonValueKind.Object)
        {
            id = message.TryGetProperty("id", out var i) ? i.GetString() : null;
            model = message.TryGetProperty("model", out var m) ? m.GetString() : null;
            if (message.TryGetProperty("usage", out var usage))
            {
                ReadUsage(usage);
            }
        }

        Start(id, model);
    }

    private void EnsureStarted()
    {
        if (!_started)
        {
            Start(null, null);
        }
    }

    private void Start(string? upstreamId, string? upstreamModel)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _id = WireIds.OpenAI(upstreamId);
        _model = _ctx.ModelForClient(upstreamModel);
        _created = _ctx.TimeProvider.GetUtcNow().ToUnixTimeSeconds();

        // OpenAI's first chunk carries the role (and an empty content).
        var w = BeginChunk();
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("content"u8, ""u8);
        EndChunk(null);
    }

    private void OnBlockStart(int index, JsonElement block)
    {
        var type = block.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "text")
        {
            if (block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                WriteContent(JsonMarshal.GetRawUtf8Value(text));
            }

            return;
        }

        if (type == "thinking")
        {
            if (block.TryGetProperty("thinking", out var thinking) && thinking.ValueKind == JsonValueKind.String)
            {
                WriteReasoning(JsonMarshal.GetRawUtf8Value(thinking));
            }

            return;
        }

        if (type != "tool_use")
        {
            _ctx.Drop($"stream content block {type}");
            return;
        }

        if (index < 0 || index > 4096
            || !block.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
            || !block.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            _ctx.Drop("malformed tool_use block in the stream");
            return;
        }

        Grow(ref _blockTools, index + 1, -1);
        var tool = _toolCount++;
        _blockTools[index] = tool;
        Grow(ref _toolHasArgs, tool + 1, false);

        var w = BeginChunk();
        w.WriteStartArray("tool_calls"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, tool);
        w.WritePropertyName("id"u8);
        w.WriteRawValue(JsonMarshal.GetRawUtf8Value(id), skipInputValidation: true);
        w.WriteString("type"u8, "function"u8);
        w.WriteStartObject("function"u8);
        w.WritePropertyName("name"u8);
        w.WriteRawValue(JsonMarshal.GetRawUtf8Value(name), skipInputValidation: true);
        w.WriteString("arguments"u8, ""u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        EndChunk(null);
    }

    private void OnBlockDelta(int index, JsonElement delta)
    {
        var type = delta.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "text_delta":
                WriteContent(JsonMarshal.GetRawUtf8Value(delta.GetProperty("text")));
                break;
            case "input_json_delta":
                if (ToolFor(index) is var tool and >= 0)
                {
                    var raw = JsonMarshal.GetRawUtf8Value(delta.GetProperty("partial_json"));
                    if (raw.Length > 2)
                    {
                        _toolHasArgs[tool] = true;
                        WriteArguments(tool, raw);
                    }
                }

                break;
            case "thinking_delta":
                // Reasoning reaches OpenAI clients as delta.reasoning_content, as OpenRouter and DeepSeek stream it.
                if (delta.TryGetProperty("thinking", out var thinking) && thinking.ValueKind == JsonValueKind.String)
                {
                    WriteReasoning(JsonMarshal.GetRawUtf8Value(thinking));
                }

                break;
            case "signature_delta":
                _ctx.Drop("thinking signature");
                break;
            default:
                break;
        }
    }

    private void OnBlockStop(int index)
    {
        if (ToolFor(index) is var tool and >= 0 && !_toolHasArgs[tool])
        {
            _toolHasArgs[tool] = true;
            WriteArguments(tool, "\"{}\""u8);
        }
    }

    private int ToolFor(int index) => index >= 0 && index < _blockTools.Length ? _blockTools[index] : -1;

    private void WriteContent(ReadOnlySpan<byte> rawString)
    {
        if (rawString.Length <= 2)
        {
            return;
        }

        var w = BeginChunk();
        w.WritePropertyName("content"u8);
        w.WriteRawValue(rawString, skipInputValidation: true);
        EndChunk(null);
    }

    private void WriteReasoning(ReadOnlySpan<byte> rawString)
    {
        if (rawString.Length <= 2)
        {
            return;
        }

        var w = BeginChunk();
        w.WritePropertyName("reasoning_content"u8);
        w.WriteRawValue(rawString, skipInputValidation: true);
        EndChunk(null);
    }

    private void WriteArguments(int tool, ReadOnlySpan<byte> rawString)
    {
        var w = BeginChunk();
        w.WriteStartArray("tool_calls"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, tool);
        w.WriteStartObject("function"u8);
        w.WritePropertyName("arguments"u8);
        w.WriteRawValue(rawString, skipInputValidation: true);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        EndChunk(null);
    }

    private void WriteFinish(string finishReason)
    {
        if (_finishSent)
        {
            return;
        }

        _finishSent = true;
        BeginChunk();
        EndChunk(finishReason);
    }

    private Utf8JsonWriter BeginChunk()
    {
        var w = _out.Begin([]);
        WriteChunkHeader(w);
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("delta"u8);
        return w;
    }

    private void EndChunk(string? finishReason)
    {
        var w = _out.Json;
        w.WriteEndObject(); // delta
        w.WriteNull("logprobs"u8);
        if (finishReason is null)
        {
            w.WriteNull("finish_reason"u8);
        }
        else
        {
            w.WriteString("finish_reason"u8, finishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        if (_ctx.ClientIncludeUsage)
        {
            // "All other chunks will also include a usage field, but with a null value" (stream_options reference).
            w.WriteNull("usage"u8);
        }

        w.WriteEndObject();
        _out.End();
    }

    private void WriteChunkHeader(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, _id);
        w.WriteString("object"u8, "chat.completion.chunk"u8);
        w.WriteNumber("created"u8, _created);
        w.WriteString("model"u8, _model);
    }

    private void ReadUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        _inputTokens = Long(usage, "input_tokens") ?? _inputTokens;
        _cacheReadTokens = Long(usage, "cache_read_input_tokens") ?? _cacheReadTokens;
        _cacheCreationTokens = Long(usage, "cache_creation_input_tokens") ?? _cacheCreationTokens;
        _outputTokens = Long(usage, "output_tokens") ?? _outputTokens;
    }

    /// <summary>An SSE comment: keeps proxies and clients from timing out; OpenAI SDKs ignore comments.</summary>
    public void WritePing()
    {
        if (!IsFinished)
        {
            _out.Write(": ping\n\n"u8);
        }
    }

    /// <summary>Writes an upstream Anthropic-format error (status + body) as an OpenAI error event and ends the stream.</summary>
    public void WriteError(int upstreamStatus, ReadOnlySpan<byte> anthropicErrorBody)
        => WriteErrorBody(ErrorTranslator.AnthropicToOpenAI(upstreamStatus, anthropicErrorBody).Body);

    /// <summary>Writes an OpenAI-shaped error event (e.g. type <c>server_error</c>) and ends the stream.</summary>
    public void WriteError(string openAIErrorType, string message)
        => WriteErrorBody(Errors.ErrorBody.OpenAI(openAIErrorType, message));

    private void WriteErrorBody(byte[] body)
    {
        if (IsFinished)
        {
            return;
        }

        // OpenAI reports a failure mid-stream as a data event holding an error object.
        _out.Write("data: "u8);
        _out.Write(body);
        _out.Write("\n\n"u8);
        IsFinished = true;
    }

    /// <summary>
    /// Ends the stream: finish_reason chunk if none was sent, the usage chunk when asked for, <c>[DONE]</c>.
    /// Called for <c>message_stop</c>; the caller calls it when the upstream ends (a no-op if already done).
    /// </summary>
    public void Complete()
    {
        if (IsFinished)
        {
            return;
        }

        EnsureStarted();
        WriteFinish("stop");
        if (_ctx.ClientIncludeUsage)
        {
            var w = _out.Begin([]);
            WriteChunkHeader(w);
            w.WriteStartArray("choices"u8);
            w.WriteEndArray();
            w.WritePropertyName("usage"u8);
            AnthropicToOpenAIResponse.Usage(_inputTokens, _cacheReadTokens, _cacheCreationTokens, _outputTokens).WriteTo(w);
            w.WriteEndObject();
            _out.End();
        }

        _out.Write("data: [DONE]\n\n"u8);
        IsFinished = true;
    }

    private static int Index(JsonElement e)
        => e.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : -1;

    private static long? Long(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;

    private static void Grow<T>(ref T[] array, int length, T fill)
    {
        if (array.Length >= length)
        {
            return;
        }

        var grown = new T[Math.Max(4, length * 2)];
        grown.AsSpan(array.Length).Fill(fill);
        array.CopyTo(grown, 0);
        array = grown;
    }

    public void Dispose()
    {
        _out.Dispose();
        _scratch.Dispose();
    }
}
