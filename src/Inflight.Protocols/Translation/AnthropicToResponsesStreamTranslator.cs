using System.Buffers;
using System.Text;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Turns Anthropic's Messages stream into the Responses API event stream as each upstream event arrives
/// (see <see cref="ResponsesEventWriter"/> for the sequence): text blocks become a <c>message</c> with an
/// <c>output_text</c> part (consecutive text blocks share it), <c>tool_use</c> blocks <c>function_call</c>
/// items (<c>custom_tool_call</c> for a client's custom tool; <c>call_id</c> = the tool_use id), and
/// <c>thinking</c> / <c>redacted_thinking</c> blocks <c>reasoning</c> items: the thinking text streams as
/// the summary, and the block with its signature is carried whole in <c>encrypted_content</c>
/// (<see cref="ThinkingEnvelope"/>) so the client can send it back on the next turn of a tool loop.
/// </summary>
/// <remarks>
/// Use like <see cref="AnthropicToOpenAIStreamTranslator"/>. <c>max_tokens</c> ends the response as
/// <c>response.incomplete</c> (<c>max_output_tokens</c>), <c>refusal</c> as incomplete
/// (<c>content_filter</c>); an <c>error</c> event, or a stream cut off before its stop reason, as
/// <c>response.failed</c>.
/// </remarks>
public sealed class AnthropicToResponsesStreamTranslator : ISseEventHandler, IDisposable
{
    private readonly TranslationContext _ctx;
    private readonly ResponsesEventWriter _out;

    // Anthropic content block index → the item it streams into (thinking and tool_use blocks).
    private readonly Dictionary<int, ResponsesItem> _blocks = [];
    private readonly StringBuilder _signature = new();
    private string? _stopReason;
    private bool _sawUsage;
    private long _inputTokens;
    private long _cacheReadTokens;
    private long _cacheCreationTokens;
    private long _outputTokens;

    // The unescaped text of the fragment being appended (pooled, reused for every fragment).
    private char[] _chars = [];

    public AnthropicToResponsesStreamTranslator(TranslationContext ctx, IBufferWriter<byte> output)
    {
        _ctx = ctx;
        _out = new ResponsesEventWriter(ctx, output);
    }

    /// <summary>True once <c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c> was written; later input is ignored.</summary>
    public bool IsFinished => _out.IsFinished;

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
            EnsureStarted(null, null);
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
            EnsureStarted(null, null);
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
            EnsureStarted(RawJson.GetString(RawJson.Property(message, "id"u8)), RawJson.GetString(RawJson.Property(message, "model"u8)));
        }
        else if (RawJson.StringEquals(type, "message_delta"u8))
        {
            EnsureStarted(null, null);
            ReadUsage(data[e.Usage]);
            if (RawJson.GetString(data[e.DeltaStopReason], StopReasons.AnthropicStopReasons) is { } stop)
            {
                _stopReason = stop;
            }
        }
        else if (RawJson.StringEquals(type, "message_stop"u8))
        {
            Complete();
        }
        else if (RawJson.StringEquals(type, "error"u8))
        {
            EnsureStarted(null, null);
            var failure = ErrorTranslator.AnthropicToResponsesFailure(0, data);
            _out.Fail(failure.Code, failure.Message);
        }

        // Anything else (ping, event types added later): nothing to tell a Responses client.
    }

    private void OnBlockStart(int index, ReadOnlySpan<byte> block)
    {
        var type = RawJson.Property(block, "type"u8);
        if (RawJson.StringEquals(type, "text"u8))
        {
            var text = RawJson.Property(block, "text"u8);
            if (RawJson.IsString(text))
            {
                _out.AppendText(RawJson.GetChars(text, ref _chars));
            }
        }
        else if (RawJson.StringEquals(type, "tool_use"u8))
        {
            if (RawJson.GetString(RawJson.Property(block, "id"u8)) is not { } id || RawJson.GetString(RawJson.Property(block, "name"u8)) is not { } name)
            {
                _ctx.Drop("malformed tool_use block in the stream");
                return;
            }

            _blocks[index] = _out.StartToolCall(id, name);
        }
        else if (RawJson.StringEquals(type, "thinking"u8))
        {
            _signature.Clear();
            _blocks[index] = _out.StartReasoning();
            var thinking = RawJson.Property(block, "thinking"u8);
            if (RawJson.IsString(thinking))
            {
                _out.AppendReasoning(RawJson.GetChars(thinking, ref _chars));
            }

            var signature = RawJson.Property(block, "signature"u8);
            if (RawJson.IsString(signature))
            {
                _signature.Append(RawJson.GetChars(signature, ref _chars));
            }
        }
        else if (RawJson.StringEquals(type, "redacted_thinking"u8))
        {
            var reasoning = _out.StartReasoning();
            reasoning.EncryptedContent = ThinkingEnvelope.EncodeRedacted(RawJson.GetString(RawJson.Property(block, "data"u8)) ?? "");
            _blocks[index] = reasoning;
        }
        else
        {
            _ctx.Drop($"stream content block {RawJson.GetString(type)}");
        }
    }

    private void OnBlockDelta(int index, ReadOnlySpan<byte> data, in AnthropicEventFields e)
    {
        var type = data[e.DeltaType];
        if (RawJson.StringEquals(type, "text_delta"u8))
        {
            AppendString(data[e.DeltaText], ResponsesItemKind.Message);
        }
        else if (RawJson.StringEquals(type, "input_json_delta"u8))
        {
            if (IsOpen(index))
            {
                AppendString(data[e.DeltaPartialJson], ResponsesItemKind.FunctionCall);
            }
        }
        else if (RawJson.StringEquals(type, "thinking_delta"u8))
        {
            if (IsOpen(index))
            {
                AppendString(data[e.DeltaThinking], ResponsesItemKind.Reasoning);
            }
        }
        else if (RawJson.StringEquals(type, "signature_delta"u8))
        {
            var signature = data[e.DeltaSignature];
            if (IsOpen(index) && RawJson.IsString(signature))
            {
                _signature.Append(RawJson.GetChars(signature, ref _chars));
            }
        }
        else
        {
            _ctx.Drop($"stream content delta {RawJson.GetString(type)}");
        }
    }

    /// <summary>Appends a delta's string (nothing when it is not one) to the open item of that kind.</summary>
    private void AppendString(ReadOnlySpan<byte> raw, ResponsesItemKind kind)
    {
        if (!RawJson.IsString(raw))
        {
            return;
        }

        var text = RawJson.GetChars(raw, ref _chars);
        switch (kind)
        {
            case ResponsesItemKind.Message:
                _out.AppendText(text);
                break;
            case ResponsesItemKind.FunctionCall:
                _out.AppendArguments(text);
                break;
            default:
                _out.AppendReasoning(text);
                break;
        }
    }

    private void OnBlockStop(int index)
    {
        if (!IsOpen(index))
        {
            return; // Text blocks stay open: the next text block continues the same output_text part.
        }

        var item = _blocks[index];
        if (item.Kind == ResponsesItemKind.Reasoning && item.EncryptedContent is null)
        {
            if (_signature.Length > 0)
            {
                item.EncryptedContent = ThinkingEnvelope.EncodeThinking(item.Summary.ToString(), _signature.ToString());
            }
            else
            {
                _ctx.Drop("thinking block without a signature (cannot be sent back to the provider)");
            }
        }

        _out.CloseItem();
    }

    private bool IsOpen(int index) => _blocks.TryGetValue(index, out var item) && ReferenceEquals(item, _out.OpenItem);

    private void EnsureStarted(string? upstreamId, string? upstreamModel)
    {
        if (!_out.IsStarted)
        {
            _out.Start(WireIds.Responses(upstreamId), _ctx.ModelForClient(upstreamModel), _ctx.TimeProvider.GetUtcNow().ToUnixTimeSeconds());
        }
    }

    private void ReadUsage(ReadOnlySpan<byte> usage)
    {
        if (!RawJson.IsObject(usage))
        {
            return;
        }

        _sawUsage = true;
        _inputTokens = RawJson.GetInt64(RawJson.Property(usage, "input_tokens"u8)) ?? _inputTokens;
        _cacheReadTokens = RawJson.GetInt64(RawJson.Property(usage, "cache_read_input_tokens"u8)) ?? _cacheReadTokens;
        _cacheCreationTokens = RawJson.GetInt64(RawJson.Property(usage, "cache_creation_input_tokens"u8)) ?? _cacheCreationTokens;
        _outputTokens = RawJson.GetInt64(RawJson.Property(usage, "output_tokens"u8)) ?? _outputTokens;
    }

    /// <summary>An SSE comment while waiting; Responses clients skip comments.</summary>
    public void WritePing() => _out.WritePing();

    /// <summary>
    /// Ends the stream with <c>response.failed</c> carrying an OpenAI error type (e.g. <c>server_error</c>,
    /// <c>rate_limit_error</c>) as its Responses error code, and the message.
    /// </summary>
    public void WriteError(string type, string message)
    {
        EnsureStarted(null, null);
        _out.Fail(ErrorTranslator.ResponsesCode(null, type, 0), message);
    }

    /// <summary>Ends the stream with <c>response.failed</c> for an upstream Anthropic-format error (status + body).</summary>
    public void WriteError(int upstreamStatus, ReadOnlySpan<byte> anthropicErrorBody)
    {
        EnsureStarted(null, null);
        var failure = ErrorTranslator.AnthropicToResponsesFailure(upstreamStatus, anthropicErrorBody);
        _out.Fail(failure.Code, failure.Message);
    }

    /// <summary>
    /// Ends the response: <c>response.completed</c> (or <c>.incomplete</c> for max tokens / refusal) once
    /// the upstream gave its stop reason; <c>response.failed</c> when it was cut off. Called for
    /// <c>message_stop</c>; the caller calls it when the upstream ends (a no-op if already closed).
    /// </summary>
    public void Complete()
    {
        if (IsFinished)
        {
            return;
        }

        EnsureStarted(null, null);
        if (_stopReason is null)
        {
            _out.Fail("server_error", "The upstream stream ended before the response was complete.");
            return;
        }

        if (_sawUsage)
        {
            _out.Response.Usage = ResponsesUsage.FromAnthropic(_inputTokens, _cacheReadTokens, _cacheCreationTokens, _outputTokens);
        }

        _out.Complete(IncompleteReason(_stopReason));
    }

    /// <summary>Anthropic stop_reason → Responses <c>incomplete_details.reason</c>; null when the response completed.</summary>
    internal static string? IncompleteReason(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "max_output_tokens",
        "refusal" => "content_filter",
        _ => null, // end_turn, tool_use, stop_sequence, pause_turn
    };

    public void Dispose()
    {
        _out.Dispose();
        RawJson.Release(ref _chars);
    }
}
