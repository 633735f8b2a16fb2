using System.Buffers;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Turns an OpenAI <c>chat.completion.chunk</c> stream into the Responses API event stream as each
/// upstream event arrives (see <see cref="ResponsesEventWriter"/> for the sequence): reasoning text
/// (<c>reasoning_content</c>, DeepSeek / OpenRouter style) becomes a <c>reasoning</c> item with a
/// summary, content a <c>message</c> with an <c>output_text</c> part, <c>refusal</c> a refusal part, and
/// each tool call a <c>function_call</c> item (a <c>custom_tool_call</c> for a client's custom tool) whose
/// <c>call_id</c> is the upstream call id.
/// </summary>
/// <remarks>
/// Use like <see cref="OpenAIToAnthropicStreamTranslator"/>: feed it through an <see cref="SseEventReader"/>,
/// flush the writer after each upstream chunk, <see cref="WritePing"/> while waiting,
/// <see cref="WriteError(string, string)"/> on an upstream failure, <see cref="Complete"/> when the
/// upstream ends. <c>finish_reason: "length"</c> ends the response as <c>response.incomplete</c>
/// (<c>max_output_tokens</c>), <c>content_filter</c> likewise (<c>content_filter</c>). A stream that ends
/// with neither a finish_reason nor <c>[DONE]</c> was cut off: it ends as <c>response.failed</c>, so an
/// agent never runs a half-received tool call.
/// </remarks>
public sealed class OpenAIToResponsesStreamTranslator : ISseEventHandler, IDisposable
{
    private readonly TranslationContext _ctx;
    private readonly ResponsesEventWriter _out;

    // OpenAI tool_call index → its function_call item, and the call's upstream id.
    private readonly Dictionary<int, (ResponsesItem Item, string? Id)> _calls = [];
    private string? _finishReason;
    private bool _done;

    // The unescaped text of the fragment being appended (pooled, reused for every fragment).
    private char[] _chars = [];

    public OpenAIToResponsesStreamTranslator(TranslationContext ctx, IBufferWriter<byte> output)
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

        if (data.SequenceEqual("[DONE]"u8))
        {
            _done = true;
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
            EnsureStarted(null, null);
            var failure = ErrorTranslator.OpenAIToResponsesFailure(0, data);
            _out.Fail(failure.Code, failure.Message);
            return;
        }

        if (!_out.IsStarted)
        {
            EnsureStarted(RawJson.GetString(data[chunk.Id]), RawJson.GetString(data[chunk.Model]));
        }

        if (chunk.HasChoice)
        {
            if (chunk.HasDelta)
            {
                OnDelta(data, in chunk);
            }

            if (RawJson.GetString(data[chunk.FinishReason], StopReasons.OpenAIFinishReasons) is { } finish)
            {
                _finishReason = finish;
                _out.CloseItem(IncompleteReason(finish) is null ? "completed" : "incomplete");
            }
        }

        if (RawJson.IsObject(data[chunk.Usage]) && ResponsesUsage.FromOpenAI(data[chunk.Usage]) is { } report)
        {
            _out.Response.Usage = report;
        }
    }

    private void OnDelta(ReadOnlySpan<byte> data, in OpenAIChunkFields chunk)
    {
        var reasoning = RawJson.IsString(data[chunk.ReasoningContent]) ? data[chunk.ReasoningContent] : data[chunk.Reasoning];
        if (RawJson.IsString(reasoning))
        {
            _out.AppendReasoning(RawJson.GetChars(reasoning, ref _chars));
        }

        if (RawJson.IsString(data[chunk.Content]))
        {
            _out.AppendText(RawJson.GetChars(data[chunk.Content], ref _chars));
        }

        if (RawJson.IsString(data[chunk.Refusal]))
        {
            _out.AppendRefusal(RawJson.GetChars(data[chunk.Refusal], ref _chars));
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

    private void OnToolCallDelta(ReadOnlySpan<byte> calls, in OpenAIToolCallFields call)
    {
        var index = RawJson.GetInt32(calls[call.Index], 0);
        var id = calls[call.Id];
        var hasId = RawJson.IsString(id) && !RawJson.StringEquals(id, ""u8);
        var known = _calls.TryGetValue(index, out var entry);

        // Some OpenAI-compatible servers send every parallel call at index 0; a new id there is a new call.
        if (!known || (hasId && entry.Id is not null && !RawJson.StringEquals(id, entry.Id)))
        {
            var name = RawJson.GetString(calls[call.Name]) ?? "";
            var upstreamId = hasId ? RawJson.GetString(id) : null;
            var callId = upstreamId ?? $"call_{_out.Response.Id}_{index}";
            entry = (_out.StartToolCall(callId, name), upstreamId);
            _calls[index] = entry;
        }

        var args = calls[call.Arguments];
        if (RawJson.IsString(args) && args.Length > 2)
        {
            if (ReferenceEquals(_out.OpenItem, entry.Item))
            {
                _out.AppendArguments(RawJson.GetChars(args, ref _chars));
            }
            else
            {
                // Responses items are sequential; a fragment for a call already closed cannot be added to it.
                _ctx.Drop("tool-call argument fragment after the call was closed (interleaved parallel calls)");
            }
        }
    }

    private void EnsureStarted(string? upstreamId, string? upstreamModel)
    {
        if (!_out.IsStarted)
        {
            _out.Start(WireIds.Responses(upstreamId), _ctx.ModelForClient(upstreamModel), _ctx.TimeProvider.GetUtcNow().ToUnixTimeSeconds());
        }
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

    /// <summary>Ends the stream with <c>response.failed</c> for an upstream OpenAI-format error (status + body).</summary>
    public void WriteError(int upstreamStatus, ReadOnlySpan<byte> openAIErrorBody)
    {
        EnsureStarted(null, null);
        var failure = ErrorTranslator.OpenAIToResponsesFailure(upstreamStatus, openAIErrorBody);
        _out.Fail(failure.Code, failure.Message);
    }

    /// <summary>
    /// Ends the response: <c>response.completed</c> (or <c>.incomplete</c> for length / content filter)
    /// once the upstream finished; <c>response.failed</c> when it was cut off. Called for <c>[DONE]</c>;
    /// the caller calls it when the upstream ends (a no-op if the response is already closed).
    /// </summary>
    public void Complete()
    {
        if (IsFinished)
        {
            return;
        }

        EnsureStarted(null, null);
        if (_finishReason is null && !_done)
        {
            _out.Fail("server_error", "The upstream stream ended before the response was complete.");
            return;
        }

        if (_finishReason is null)
        {
            _ctx.Drop("upstream stream ended without finish_reason; closed as completed");
        }

        _out.Complete(IncompleteReason(_finishReason));
    }

    /// <summary>Chat finish_reason → Responses <c>incomplete_details.reason</c>; null when the response completed.</summary>
    internal static string? IncompleteReason(string? finishReason) => finishReason switch
    {
        "length" => "max_output_tokens",
        "content_filter" => "content_filter",
        _ => null,
    };

    public void Dispose()
    {
        _out.Dispose();
        RawJson.Release(ref _chars);
    }
}
