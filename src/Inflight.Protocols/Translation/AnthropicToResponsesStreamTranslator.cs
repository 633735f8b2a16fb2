using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
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
    private readonly ScratchBuffer _scratch = new();

    // Anthropic content block index → the item it streams into (thinking and tool_use blocks).
    private readonly Dictionary<int, ResponsesItem> _blocks = [];
    private readonly StringBuilder _signature = new();
    private string? _stopReason;
    private bool _sawUsage;
    private long _inputTokens;
    private long _cacheReadTokens;
    private long _cacheCreationTokens;
    private long _outputTokens;

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
            try
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    OnUpstreamEvent(doc.RootElement);
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
        switch (Str(e, "type"))
        {
            case "message_start":
                var message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("usage", out var startUsage))
                {
                    ReadUsage(startUsage);
                }

                EnsureStarted(message.ValueKind == JsonValueKind.Object ? Str(message, "id") : null, message.ValueKind == JsonValueKind.Object ? Str(message, "model") : null);
                break;
            case "content_block_start":
                EnsureStarted(null, null);
                OnBlockStart(Index(e), e.GetProperty("content_block"));
                break;
            case "content_block_delta":
                EnsureStarted(null, null);
                OnBlockDelta(Index(e), e.GetProperty("delta"));
                break;
            case "content_block_stop":
                OnBlockStop(Index(e));
                break;
            case "message_delta":
                EnsureStarted(null, null);
                if (e.TryGetProperty("usage", out var usage))
                {
                    ReadUsage(usage);
                }

                if (e.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object && Str(delta, "stop_reason") is { } stop)
                {
                    _stopReason = stop;
                }

                break;
            case "message_stop":
                Complete();
                break;
            case "error":
                EnsureStarted(null, null);
                var failure = ErrorTranslator.AnthropicToResponsesFailure(0, JsonMarshal.GetRawUtf8Value(e));
                _out.Fail(failure.Code, failure.Message);
                break;
            default:
                break; // ping, and event types added later: nothing to tell a Responses client.
        }
    }

    private void OnBlockStart(int index, JsonElement block)
    {
        switch (Str(block, "type"))
        {
            case "text":
                if (Str(block, "text") is { } text)
                {
                    _out.AppendText(text);
                }

                break;

            case "tool_use":
                if (Str(block, "id") is not { } id || Str(block, "name") is not { } name)
                {
                    _ctx.Drop("malformed tool_use block in the stream");
                    return;
                }

                _blocks[index] = _out.StartToolCall(id, name);
                break;

            case "thinking":
                _signature.Clear();
                _blocks[index] = _out.StartReasoning();
                if (Str(block, "thinking") is { } thinking)
                {
                    _out.AppendReasoning(thinking);
                }

                if (Str(block, "signature") is { } signature)
                {
                    _signature.Append(signature);
                }

                break;

            case "redacted_thinking":
                var reasoning = _out.StartReasoning();
                reasoning.EncryptedContent = ThinkingEnvelope.EncodeRedacted(Str(block, "data") ?? "");
                _blocks[index] = reasoning;
                break;

            case var other:
                _ctx.Drop($"stream content block {other}");
                break;
        }
    }

    private void OnBlockDelta(int index, JsonElement delta)
    {
        switch (Str(delta, "type"))
        {
            case "text_delta":
                _out.AppendText(Str(delta, "text") ?? "");
                break;
            case "input_json_delta":
                if (IsOpen(index))
                {
                    _out.AppendArguments(Str(delta, "partial_json") ?? "");
                }

                break;
            case "thinking_delta":
                if (IsOpen(index))
                {
                    _out.AppendReasoning(Str(delta, "thinking") ?? "");
                }

                break;
            case "signature_delta":
                if (IsOpen(index))
                {
                    _signature.Append(Str(delta, "signature"));
                }

                break;
            case var other:
                _ctx.Drop($"stream content delta {other}");
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

    private void ReadUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        _sawUsage = true;
        _inputTokens = Long(usage, "input_tokens") ?? _inputTokens;
        _cacheReadTokens = Long(usage, "cache_read_input_tokens") ?? _cacheReadTokens;
        _cacheCreationTokens = Long(usage, "cache_creation_input_tokens") ?? _cacheCreationTokens;
        _outputTokens = Long(usage, "output_tokens") ?? _outputTokens;
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

    private static int Index(JsonElement e)
        => e.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : -1;

    private static string? Str(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Long(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;

    public void Dispose()
    {
        _out.Dispose();
        _scratch.Dispose();
    }
}
