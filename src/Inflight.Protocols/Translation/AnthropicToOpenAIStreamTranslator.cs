using System.Buffers;
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

    // Anthropic content block index → OpenAI tool_calls index (-1: not a tool block).
    private int[] _blockTools = [];

    // Per OpenAI tool index: whether any argument fragment was sent (an empty input must still read "{}").
    private bool[] _toolHasArgs = [];
    private int _toolCount;
    private bool _started;
    private bool _finishSent;
    private bool _droppedSignature;
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

        if (!AnthropicEventFields.TryRead(data, out var e))
        {
            _ctx.Drop("malformed upstream stream event");
            return;
        }

        if (!e.IsObject)
        {
            return;
        }

        try
        {
            OnUpstreamEvent(data, in e);
        }
        catch (InvalidOperationException)
        {
            // A string that cannot be read (an escaped lone surrogate): skip the rest of the event rather than fail the response.
            _ctx.Drop("malformed upstream stream event");
        }
    }

    private void OnUpstreamEvent(ReadOnlySpan<byte> data, in AnthropicEventFields e)
    {
        // The data's own "type" names the event (Anthropic repeats it there), so a missing event: line is fine.
        var type = data[e.Type];
        if (RawJson.StringEquals(type, "content_block_delta"u8))
        {
            EnsureStarted();
            if (RawJson.IsObject(data[e.Delta]))
            {
                OnBlockDelta(RawJson.GetInt32(data[e.Index], -1), data, in e);
            }
            else
            {
                _ctx.Drop("malformed upstream stream event");
            }
        }
        else if (RawJson.StringEquals(type, "content_block_start"u8))
        {
            EnsureStarted();
            if (RawJson.IsObject(data[e.ContentBlock]))
            {
                OnBlockStart(RawJson.GetInt32(data[e.Index], -1), data[e.ContentBlock]);
            }
            else
            {
                _ctx.Drop("malformed upstream stream event");
            }
        }
        else if (RawJson.StringEquals(type, "content_block_stop"u8))
        {
            OnBlockStop(RawJson.GetInt32(data[e.Index], -1));
        }
        else if (RawJson.StringEquals(type, "message_start"u8))
        {
            var message = data[e.Message];
            ReadUsage(RawJson.Property(message, "usage"u8));
            Start(RawJson.GetString(RawJson.Property(message, "id"u8)), RawJson.GetString(RawJson.Property(message, "model"u8)));
        }
        else if (RawJson.StringEquals(type, "message_delta"u8))
        {
            EnsureStarted();
            ReadUsage(data[e.Usage]);
            if (RawJson.GetString(data[e.DeltaStopReason], StopReasons.AnthropicStopReasons) is { } stop)
            {
                WriteFinish(StopReasons.ToOpenAI(stop));
            }
        }
        else if (RawJson.StringEquals(type, "message_stop"u8))
        {
            Complete();
        }
        else if (RawJson.StringEquals(type, "error"u8))
        {
            WriteErrorBody(ErrorTranslator.AnthropicToOpenAI(0, data).Body);
        }

        // Anything else (ping, event types added later): nothing to tell an OpenAI client.
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

    private void OnBlockStart(int index, ReadOnlySpan<byte> block)
    {
        var type = RawJson.Property(block, "type"u8);
        if (RawJson.StringEquals(type, "text"u8))
        {
            var text = RawJson.Property(block, "text"u8);
            if (RawJson.IsString(text))
            {
                WriteContent(text);
            }

            return;
        }

        if (RawJson.StringEquals(type, "thinking"u8))
        {
            var thinking = RawJson.Property(block, "thinking"u8);
            if (RawJson.IsString(thinking))
            {
                WriteReasoning(thinking);
            }

            return;
        }

        if (!RawJson.StringEquals(type, "tool_use"u8))
        {
            _ctx.Drop($"stream content block {RawJson.GetString(type)}");
            return;
        }

        var id = RawJson.Property(block, "id"u8);
        var name = RawJson.Property(block, "name"u8);
        if (index < 0 || index > 4096 || !RawJson.IsString(id) || !RawJson.IsString(name))
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
        w.WriteRawValue(id, skipInputValidation: true);
        w.WriteString("type"u8, "function"u8);
        w.WriteStartObject("function"u8);
        w.WritePropertyName("name"u8);
        w.WriteRawValue(name, skipInputValidation: true);
        w.WriteString("arguments"u8, ""u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        EndChunk(null);
    }

    private void OnBlockDelta(int index, ReadOnlySpan<byte> data, in AnthropicEventFields e)
    {
        var type = data[e.DeltaType];
        if (RawJson.StringEquals(type, "text_delta"u8))
        {
            var text = data[e.DeltaText];
            if (RawJson.IsString(text))
            {
                WriteContent(text);
            }
            else
            {
                _ctx.Drop("malformed upstream stream event");
            }
        }
        else if (RawJson.StringEquals(type, "input_json_delta"u8))
        {
            if (ToolFor(index) is var tool and >= 0)
            {
                var raw = data[e.DeltaPartialJson];
                if (!RawJson.IsString(raw))
                {
                    _ctx.Drop("malformed upstream stream event");
                }
                else if (raw.Length > 2)
                {
                    _toolHasArgs[tool] = true;
                    WriteArguments(tool, raw);
                }
            }
        }
        else if (RawJson.StringEquals(type, "thinking_delta"u8))
        {
            // Reasoning reaches OpenAI clients as delta.reasoning_content, as OpenRouter and DeepSeek stream it.
            var thinking = data[e.DeltaThinking];
            if (RawJson.IsString(thinking))
            {
                WriteReasoning(thinking);
            }
        }
        else if (RawJson.StringEquals(type, "signature_delta"u8) && !_droppedSignature)
        {
            _droppedSignature = true;
            _ctx.Drop("thinking signature");
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

    private void ReadUsage(ReadOnlySpan<byte> usage)
    {
        if (!RawJson.IsObject(usage))
        {
            return;
        }

        _inputTokens = RawJson.GetInt64(RawJson.Property(usage, "input_tokens"u8)) ?? _inputTokens;
        _cacheReadTokens = RawJson.GetInt64(RawJson.Property(usage, "cache_read_input_tokens"u8)) ?? _cacheReadTokens;
        _cacheCreationTokens = RawJson.GetInt64(RawJson.Property(usage, "cache_creation_input_tokens"u8)) ?? _cacheCreationTokens;
        _outputTokens = RawJson.GetInt64(RawJson.Property(usage, "output_tokens"u8)) ?? _outputTokens;
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
    }
}
