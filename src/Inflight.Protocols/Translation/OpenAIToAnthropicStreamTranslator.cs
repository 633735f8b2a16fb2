using System.Buffers;
using Inflight.Protocols.Accounting;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Turns an OpenAI <c>chat.completion.chunk</c> stream into Anthropic's Messages stream events, as each
/// upstream event arrives: <c>message_start</c>, then per content block <c>content_block_start</c> /
/// <c>content_block_delta</c> (<c>text_delta</c>, <c>input_json_delta</c>) / <c>content_block_stop</c>,
/// then <c>message_delta</c> (stop reason, usage) and <c>message_stop</c>.
/// </summary>
/// <remarks>
/// Use: create one per response with the caller's output writer; feed upstream bytes through an
/// <see cref="SseEventReader"/> with this as handler; after each upstream chunk, flush the writer to the
/// client. <see cref="WritePing"/> while waiting; <see cref="WriteError(string, string)"/> on an upstream
/// failure; <see cref="Complete"/> when the upstream ends (it closes the message if the upstream did not).
/// Blocks are sequential, as Anthropic sends them: a block stops when the next begins. OpenAI sends each
/// tool call's fragments in order, so parallel calls map to consecutive blocks; the OpenAI tool-call index
/// keeps its block even if a provider interleaves fragments.
/// </remarks>
public sealed class OpenAIToAnthropicStreamTranslator : ISseEventHandler, IDisposable
{
    private readonly TranslationContext _ctx;
    private readonly SseOutput _out;

    // OpenAI tool_call index → Anthropic content block index (-1: not started), and the call's id.
    private int[] _toolBlocks = [];
    private string?[] _toolIds = [];
    private bool _anyToolCall;
    private bool _refused;
    private bool _droppedReasoning;
    private int _nextBlock;
    private int _openBlock = -1;
    private bool _openIsText;
    private bool _started;
    private string _messageId = "";
    private string? _finishReason;
    private long? _inputTokens;
    private long? _cacheReadTokens;
    private long? _cacheCreationTokens;
    private long? _completionTokens;
    private long _outputBytes;

    public OpenAIToAnthropicStreamTranslator(TranslationContext ctx, IBufferWriter<byte> output)
    {
        _ctx = ctx;
        _out = new SseOutput(output);
    }

    /// <summary>True once <c>message_stop</c> or an <c>error</c> event was written; later input is ignored.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>The stop reason sent (or to be sent) to the client; null until the upstream says.</summary>
    public string? StopReason => _finishReason is null ? null : StopReasons.ToAnthropic(_finishReason);

    public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (IsFinished)
        {
            return;
        }

        if (data.SequenceEqual("[DONE]"u8))
        {
            Complete();
            return;
        }

        if (!OpenAIChunkFields.TryRead(data, out var chunk))
        {
            _ctx.Drop("malformed upstream stream chunk");
            return;
        }

        if (!chunk.IsObject)
        {
            return;
        }

        try
        {
            OnChunk(data, in chunk);
        }
        catch (InvalidOperationException)
        {
            // A string that cannot be read (an escaped lone surrogate): skip the rest of the event rather than fail the response.
            _ctx.Drop("malformed upstream stream event");
        }
    }

    private void OnChunk(ReadOnlySpan<byte> data, in OpenAIChunkFields chunk)
    {
        if (!chunk.Error.Equals(default(Range)))
        {
            // A provider's mid-stream error arrives as a data event with an OpenAI error body.
            var error = ErrorTranslator.OpenAIToAnthropic(0, data);
            WriteErrorBody(error.Body);
            return;
        }

        if (!_started)
        {
            EnsureStarted(RawJson.GetString(data[chunk.Id]), RawJson.GetString(data[chunk.Model]));
        }

        if (chunk.HasChoice)
        {
            if (chunk.HasDelta)
            {
                OnDelta(data, in chunk);
            }

            if (RawJson.IsString(data[chunk.FinishReason]))
            {
                _finishReason = RawJson.GetString(data[chunk.FinishReason], StopReasons.OpenAIFinishReasons);

                // Some servers finish a tool-calling turn with "stop"; Anthropic clients run tools on tool_use.
                if (_anyToolCall && _finishReason == "stop")
                {
                    _finishReason = "tool_calls";
                }

                // A refusal ends with finish_reason "stop"; the Anthropic client must see stop_reason "refusal".
                if (_refused && _finishReason == "stop")
                {
                    _finishReason = "content_filter";
                }

                CloseOpenBlock();
            }
        }

        if (RawJson.IsObject(data[chunk.Usage]))
        {
            // Read the way the tracker reads it (OpenRouter's cache writes, DeepSeek's cache hits), so the
            // client and the dashboard report the same figures.
            var reader = RawJson.Open(data[chunk.Usage]);
            var report = UsageJson.ReadOpenAI(ref reader);
            _inputTokens = report.InputTokens ?? _inputTokens;
            _cacheReadTokens = report.CacheReadTokens ?? _cacheReadTokens;
            _cacheCreationTokens = report.CacheCreationTokens ?? _cacheCreationTokens;
            _completionTokens = report.OutputTokens ?? _completionTokens;
        }
    }

    private void OnDelta(ReadOnlySpan<byte> data, in OpenAIChunkFields chunk)
    {
        if (RawJson.IsString(data[chunk.Content]))
        {
            WriteText(data[chunk.Content]);
        }
        else if (RawJson.IsString(data[chunk.Refusal]))
        {
            WriteText(data[chunk.Refusal]);
            _refused = true;
        }

        if (!_droppedReasoning && (!chunk.ReasoningContent.Equals(default(Range)) || !chunk.Reasoning.Equals(default(Range))))
        {
            // DeepSeek / OpenRouter reasoning text: Anthropic thinking blocks need a signature we cannot make.
            _droppedReasoning = true;
            _ctx.Drop("reasoning text in the stream (no signed thinking block to carry it)");
        }

        if (RawJson.IsArray(data[chunk.ToolCalls]))
        {
            var calls = data[chunk.ToolCalls];
            var reader = RawJson.Open(calls);
            while (OpenAIToolCallFields.TryReadNext(ref reader, out var call))
            {
                OnToolCallDelta(calls, in call);
            }
        }
    }

    /// <param name="rawString">The JSON string token as the upstream sent it, quotes included: re-emitted without unescaping.</param>
    private void WriteText(ReadOnlySpan<byte> rawString)
    {
        if (rawString.Length <= 2)
        {
            return;
        }

        if (_openBlock < 0 || !_openIsText)
        {
            CloseOpenBlock();
            _openBlock = _nextBlock++;
            _openIsText = true;
            var start = _out.Begin("content_block_start"u8);
            start.WriteStartObject();
            start.WriteString("type"u8, "content_block_start"u8);
            start.WriteNumber("index"u8, _openBlock);
            start.WriteStartObject("content_block"u8);
            start.WriteString("type"u8, "text"u8);
            start.WriteString("text"u8, ""u8);
            start.WriteEndObject();
            start.WriteEndObject();
            _out.End();
        }

        WriteDelta(_openBlock, "text_delta"u8, "text"u8, rawString);
    }

    private void OnToolCallDelta(ReadOnlySpan<byte> calls, in OpenAIToolCallFields call)
    {
        var index = RawJson.GetInt32(calls[call.Index], 0);
        if (index < 0 || index > 1024)
        {
            return;
        }

        if (index >= _toolBlocks.Length)
        {
            var grown = new int[Math.Max(4, index + 1) * 2];
            grown.AsSpan().Fill(-1);
            _toolBlocks.CopyTo(grown, 0);
            _toolBlocks = grown;
            Array.Resize(ref _toolIds, grown.Length);
        }

        var id = calls[call.Id];
        var hasId = RawJson.IsString(id) && !RawJson.StringEquals(id, ""u8);

        // Some OpenAI-compatible servers send every parallel call at index 0; a new id there is a new call.
        if (_toolBlocks[index] < 0 || (hasId && _toolIds[index] is { } known && !RawJson.StringEquals(id, known)))
        {
            _anyToolCall = true;
            _toolIds[index] = hasId ? RawJson.GetString(id) : null;
            CloseOpenBlock();
            var block = _nextBlock++;
            _toolBlocks[index] = block;
            _openBlock = block;
            _openIsText = false;

            var start = _out.Begin("content_block_start"u8);
            start.WriteStartObject();
            start.WriteString("type"u8, "content_block_start"u8);
            start.WriteNumber("index"u8, block);
            start.WriteStartObject("content_block"u8);
            start.WriteString("type"u8, "tool_use"u8);
            if (hasId)
            {
                start.WritePropertyName("id"u8);
                start.WriteRawValue(id, skipInputValidation: true);
            }
            else
            {
                start.WriteString("id"u8, $"toolu_{_messageId}_{index}");
            }

            if (RawJson.IsString(calls[call.Name]))
            {
                start.WritePropertyName("name"u8);
                start.WriteRawValue(calls[call.Name], skipInputValidation: true);
            }
            else
            {
                start.WriteString("name"u8, ""u8);
            }

            start.WriteStartObject("input"u8);
            start.WriteEndObject();
            start.WriteEndObject();
            start.WriteEndObject();
            _out.End();
        }

        var args = calls[call.Arguments];
        if (RawJson.IsString(args) && args.Length > 2)
        {
            WriteDelta(_toolBlocks[index], "input_json_delta"u8, "partial_json"u8, args);
        }
    }

    private void WriteDelta(int block, ReadOnlySpan<byte> deltaType, ReadOnlySpan<byte> field, ReadOnlySpan<byte> rawString)
    {
        _outputBytes += rawString.Length - 2;
        var w = _out.Begin("content_block_delta"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_delta"u8);
        w.WriteNumber("index"u8, block);
        w.WriteStartObject("delta"u8);
        w.WriteString("type"u8, deltaType);
        w.WritePropertyName(field);
        w.WriteRawValue(rawString, skipInputValidation: true);
        w.WriteEndObject();
        w.WriteEndObject();
        _out.End();
    }

    private void CloseOpenBlock()
    {
        if (_openBlock < 0)
        {
            return;
        }

        var w = _out.Begin("content_block_stop"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_stop"u8);
        w.WriteNumber("index"u8, _openBlock);
        w.WriteEndObject();
        _out.End();
        _openBlock = -1;
    }

    private void EnsureStarted(string? upstreamId, string? upstreamModel)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _messageId = WireIds.Anthropic(upstreamId);
        var w = _out.Begin("message_start"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "message_start"u8);
        w.WriteStartObject("message"u8);
        w.WriteString("id"u8, _messageId);
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("model"u8, _ctx.ModelForClient(upstreamModel));
        w.WriteStartArray("content"u8);
        w.WriteEndArray();
        w.WriteNull("stop_reason"u8);
        w.WriteNull("stop_sequence"u8);
        w.WriteStartObject("usage"u8);

        // Never 0: Claude Code reads context use from here before the provider reports usage.
        w.WriteNumber("input_tokens"u8, Math.Max(1, _ctx.EstimatedInputTokens));
        w.WriteNumber("cache_creation_input_tokens"u8, 0);
        w.WriteNumber("cache_read_input_tokens"u8, 0);
        w.WriteNumber("output_tokens"u8, 1);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        _out.End();
    }

    /// <summary>Writes a <c>ping</c> event (after <c>message_start</c>, as Anthropic does; starts the message if needed).</summary>
    public void WritePing()
    {
        if (IsFinished)
        {
            return;
        }

        EnsureStarted(null, null);
        _out.Write("event: ping\ndata: {\"type\":\"ping\"}\n\n"u8);
    }

    /// <summary>Writes an Anthropic <c>error</c> event (e.g. <c>overloaded_error</c>, <c>api_error</c>) and ends the stream.</summary>
    public void WriteError(string anthropicErrorType, string message)
        => WriteErrorBody(Errors.ErrorBody.Anthropic(anthropicErrorType, message));

    /// <summary>Writes an upstream OpenAI-format error (status + body) as an Anthropic <c>error</c> event and ends the stream.</summary>
    public void WriteError(int upstreamStatus, ReadOnlySpan<byte> openAIErrorBody)
        => WriteErrorBody(ErrorTranslator.OpenAIToAnthropic(upstreamStatus, openAIErrorBody).Body);

    private void WriteErrorBody(byte[] body)
    {
        if (IsFinished)
        {
            return;
        }

        _out.Write("event: error\ndata: "u8);
        _out.Write(body);
        _out.Write("\n\n"u8);
        IsFinished = true;
    }

    /// <summary>
    /// Closes the message: open block, <c>message_delta</c> with stop reason and usage, <c>message_stop</c>.
    /// Called for <c>[DONE]</c>; the caller calls it when the upstream ends, which is a no-op if it is closed.
    /// </summary>
    public void Complete()
    {
        if (IsFinished)
        {
            return;
        }

        EnsureStarted(null, null);
        CloseOpenBlock();
        if (_finishReason is null)
        {
            if (_refused)
            {
                _finishReason = "content_filter";
            }
            else
            {
                _ctx.Drop("upstream stream ended without finish_reason; closed as end_turn");
            }
        }

        var w = _out.Begin("message_delta"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, "message_delta"u8);
        w.WriteStartObject("delta"u8);
        w.WriteString("stop_reason"u8, StopReasons.ToAnthropic(_finishReason));
        w.WriteNull("stop_sequence"u8);
        w.WriteEndObject();
        w.WriteStartObject("usage"u8);
        if (_inputTokens is { } input)
        {
            w.WriteNumber("input_tokens"u8, input);
            w.WriteNumber("cache_read_input_tokens"u8, _cacheReadTokens ?? 0);
            if (_cacheCreationTokens is { } cacheCreation)
            {
                w.WriteNumber("cache_creation_input_tokens"u8, cacheCreation);
            }
        }

        // Without provider usage, ~4 bytes of output per token (a coarse estimate, better than 0).
        w.WriteNumber("output_tokens"u8, _completionTokens ?? Math.Max(1, (_outputBytes + 3) / 4));
        w.WriteEndObject();
        w.WriteEndObject();
        _out.End();

        _out.Write("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8);
        IsFinished = true;
    }

    public void Dispose()
    {
        _out.Dispose();
    }
}
