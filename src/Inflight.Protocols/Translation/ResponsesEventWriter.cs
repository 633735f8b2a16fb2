using System.Buffers;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Writes a Responses API event stream, the one both stream translators share: <c>response.created</c>,
/// <c>response.in_progress</c>, then per output item <c>response.output_item.added</c>, its content events
/// (<c>response.content_part.added</c>, <c>response.output_text.delta</c>/<c>.done</c>,
/// <c>response.refusal.delta</c>/<c>.done</c>, <c>response.content_part.done</c>;
/// <c>response.function_call_arguments.delta</c>/<c>.done</c>;
/// <c>response.custom_tool_call_input.delta</c>/<c>.done</c>; <c>response.reasoning_summary_part.added</c>, <c>response.reasoning_summary_text.delta</c>/<c>.done</c>,
/// <c>response.reasoning_summary_part.done</c>) and <c>response.output_item.done</c>, then one of
/// <c>response.completed</c>, <c>response.incomplete</c> or <c>response.failed</c> carrying the whole
/// response. Every event has an <c>event:</c> line and a <c>sequence_number</c> counting from 0.
/// </summary>
/// <remarks>
/// Items are sequential, as OpenAI sends them: adding an item closes the open one. The accumulated
/// text and arguments give the <c>.done</c> events and the final response its full content.
/// </remarks>
internal sealed class ResponsesEventWriter : IDisposable
{
    private readonly SseOutput _out;
    private readonly TranslationContext _ctx;
    private long _sequence;
    private ResponsesItem? _open;
    private ResponsesContentPart? _openPart;
    private ResponsesObject? _response;

    public ResponsesEventWriter(TranslationContext ctx, IBufferWriter<byte> output)
    {
        _ctx = ctx;
        _out = new SseOutput(output);
    }

    public bool IsStarted => _response is not null;

    /// <summary>True once <c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c> was written.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>The item receiving deltas, if any.</summary>
    public ResponsesItem? OpenItem => _open;

    public ResponsesObject Response => _response ?? throw new InvalidOperationException("The response has not started.");

    public void Start(string id, string model, long createdAt)
    {
        if (_response is not null)
        {
            return;
        }

        _response = new ResponsesObject(id, model, createdAt);
        WriteResponseEvent("response.created"u8);
        WriteResponseEvent("response.in_progress"u8);
    }

    public void AppendText(ReadOnlySpan<char> delta) => AppendToPart(isRefusal: false, delta);

    public void AppendRefusal(ReadOnlySpan<char> delta) => AppendToPart(isRefusal: true, delta);

    /// <summary>Adds a reasoning item (closing the open item); its summary part appears with the first text.</summary>
    public ResponsesItem StartReasoning()
    {
        CloseItem();
        return AddItem(ResponsesItem.Reasoning, "rs_");
    }

    /// <summary>Appends reasoning text to the open reasoning item's summary, adding the item and its part as needed.</summary>
    public void AppendReasoning(ReadOnlySpan<char> delta)
    {
        if (delta.Length == 0)
        {
            return;
        }

        var item = _open is { Kind: ResponsesItemKind.Reasoning } open ? open : StartReasoning();
        if (!item.HasSummaryPart)
        {
            item.HasSummaryPart = true;
            var added = BeginItemEvent("response.reasoning_summary_part.added"u8);
            added.WriteNumber("summary_index"u8, 0);
            added.WritePropertyName("part"u8);
            item.WriteSummaryPart(added);
            EndEvent();
        }

        item.Summary.Append(delta);
        var w = BeginItemEvent("response.reasoning_summary_text.delta"u8);
        w.WriteNumber("summary_index"u8, 0);
        w.WriteString("delta"u8, delta);
        EndEvent();
    }

    /// <summary>
    /// Adds a tool call item (closing the open item): a <c>function_call</c>, or a <c>custom_tool_call</c> when
    /// the client declared a custom tool. Arguments follow with <see cref="AppendArguments"/>.
    /// </summary>
    public ResponsesItem StartToolCall(string callId, string upstreamName)
    {
        CloseItem();
        var item = Response.AddToolCall(callId, upstreamName, _ctx);
        Open(item);
        return item;
    }

    /// <summary>
    /// Appends an arguments fragment to the open tool call. A custom tool's input is inside a JSON string
    /// that is only complete at the end, so it is sent whole when the call closes.
    /// </summary>
    public void AppendArguments(ReadOnlySpan<char> delta)
    {
        if (delta.Length == 0 || _open is not { Kind: ResponsesItemKind.FunctionCall or ResponsesItemKind.CustomToolCall } call)
        {
            return;
        }

        call.Arguments.Append(delta);
        if (call.Kind == ResponsesItemKind.FunctionCall)
        {
            var w = BeginItemEvent("response.function_call_arguments.delta"u8);
            w.WriteString("delta"u8, delta);
            EndEvent();
        }
    }

    /// <summary>Closes the open item: its content's <c>.done</c> events, then <c>response.output_item.done</c>.</summary>
    public void CloseItem(string status = "completed")
    {
        if (_open is not { } item)
        {
            return;
        }

        switch (item.Kind)
        {
            case ResponsesItemKind.Message:
                ClosePart();
                break;

            case ResponsesItemKind.FunctionCall:
                if (item.Arguments.Length == 0)
                {
                    // A call without arguments still reads "{}", and the deltas add up to the final arguments.
                    AppendArguments("{}");
                }

                var args = BeginItemEvent("response.function_call_arguments.done"u8);
                args.WriteString("name"u8, item.Name);
                args.WriteString("arguments"u8, item.Arguments.Span);
                EndEvent();
                break;

            case ResponsesItemKind.CustomToolCall:
                item.CompleteInput(_ctx);
                if (item.Input is { Length: > 0 } input)
                {
                    var inputDelta = BeginItemEvent("response.custom_tool_call_input.delta"u8);
                    inputDelta.WriteString("delta"u8, input);
                    EndEvent();
                }

                var inputDone = BeginItemEvent("response.custom_tool_call_input.done"u8);
                inputDone.WriteString("input"u8, item.Input);
                EndEvent();
                break;

            default:
                if (item.HasSummaryPart)
                {
                    var text = BeginItemEvent("response.reasoning_summary_text.done"u8);
                    text.WriteNumber("summary_index"u8, 0);
                    text.WriteString("text"u8, item.Summary.Span);
                    EndEvent();

                    var part = BeginItemEvent("response.reasoning_summary_part.done"u8);
                    part.WriteNumber("summary_index"u8, 0);
                    part.WritePropertyName("part"u8);
                    item.WriteSummaryPart(part);
                    EndEvent();
                }

                break;
        }

        item.Status = status;
        var done = BeginItemEvent("response.output_item.done"u8, withItemId: false);
        done.WritePropertyName("item"u8);
        item.WriteTo(done);
        EndEvent();
        _open = null;
    }

    /// <summary>
    /// Closes the open item and writes <c>response.completed</c>, or <c>response.incomplete</c> when
    /// <paramref name="incompleteReason"/> (<c>max_output_tokens</c>, <c>content_filter</c>) is given.
    /// </summary>
    public void Complete(string? incompleteReason)
    {
        if (IsFinished || _response is null)
        {
            return;
        }

        CloseItem(incompleteReason is null ? "completed" : "incomplete");
        _response.Finish(incompleteReason);
        WriteResponseEvent(incompleteReason is null ? "response.completed"u8 : "response.incomplete"u8);
        IsFinished = true;
    }

    /// <summary>Writes <c>response.failed</c> with the error; the item that was open stays incomplete.</summary>
    public void Fail(string code, string message)
    {
        if (IsFinished || _response is null)
        {
            return;
        }

        if (_open is not null)
        {
            _open.Status = "incomplete";
            _open = null;
            _openPart = null;
        }

        _response.Status = "failed";
        _response.ErrorCode = code;
        _response.ErrorMessage = message;
        WriteResponseEvent("response.failed"u8);
        IsFinished = true;
    }

    /// <summary>An SSE comment: keeps proxies and clients from timing out; OpenAI SDKs and Codex skip comments.</summary>
    public void WritePing()
    {
        if (!IsFinished)
        {
            _out.Write(": ping\n\n"u8);
        }
    }

    private void AppendToPart(bool isRefusal, ReadOnlySpan<char> delta)
    {
        if (delta.Length == 0)
        {
            return;
        }

        if (_open is not { Kind: ResponsesItemKind.Message })
        {
            CloseItem();
            AddItem(ResponsesItem.Message, "msg_");
        }

        var item = _open!;
        if (_openPart is null || _openPart.IsRefusal != isRefusal)
        {
            ClosePart();
            _openPart = new ResponsesContentPart(isRefusal);
            item.Parts.Add(_openPart);
            var added = BeginItemEvent("response.content_part.added"u8);
            added.WriteNumber("content_index"u8, item.Parts.Count - 1);
            added.WritePropertyName("part"u8);
            _openPart.WriteTo(added);
            EndEvent();
        }

        _openPart.Text.Append(delta);
        var w = BeginItemEvent(isRefusal ? "response.refusal.delta"u8 : "response.output_text.delta"u8);
        w.WriteNumber("content_index"u8, item.Parts.Count - 1);
        w.WriteString("delta"u8, delta);
        if (!isRefusal)
        {
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
        }

        EndEvent();
    }

    private void ClosePart()
    {
        if (_openPart is not { } part || _open is not { } item)
        {
            return;
        }

        var index = item.Parts.Count - 1;
        var done = BeginItemEvent(part.IsRefusal ? "response.refusal.done"u8 : "response.output_text.done"u8);
        done.WriteNumber("content_index"u8, index);
        if (part.IsRefusal)
        {
            done.WriteString("refusal"u8, part.Text.Span);
        }
        else
        {
            done.WriteString("text"u8, part.Text.Span);
            done.WriteStartArray("logprobs"u8);
            done.WriteEndArray();
        }

        EndEvent();

        var partDone = BeginItemEvent("response.content_part.done"u8);
        partDone.WriteNumber("content_index"u8, index);
        partDone.WritePropertyName("part"u8);
        part.WriteTo(partDone);
        EndEvent();
        _openPart = null;
    }

    private ResponsesItem AddItem(Func<string, ResponsesItem> create, string prefix)
    {
        var item = Response.Add(create, prefix);
        Open(item);
        return item;
    }

    private void Open(ResponsesItem item)
    {
        _open = item;
        var w = BeginItemEvent("response.output_item.added"u8, withItemId: false);
        w.WritePropertyName("item"u8);
        item.WriteTo(w);
        EndEvent();
    }

    private void WriteResponseEvent(ReadOnlySpan<byte> type)
    {
        var w = BeginEvent(type);
        w.WritePropertyName("response"u8);
        Response.WriteTo(w);
        EndEvent();
    }

    /// <summary>Begins an event about the open item: <c>output_index</c> and (unless an item event) <c>item_id</c>.</summary>
    private Utf8JsonWriter BeginItemEvent(ReadOnlySpan<byte> type, bool withItemId = true)
    {
        var item = _open!;
        var w = BeginEvent(type);
        if (withItemId)
        {
            w.WriteString("item_id"u8, item.Id);
        }

        w.WriteNumber("output_index"u8, item.OutputIndex);
        return w;
    }

    private Utf8JsonWriter BeginEvent(ReadOnlySpan<byte> type)
    {
        var w = _out.Begin(type);
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        w.WriteNumber("sequence_number"u8, _sequence++);
        return w;
    }

    private void EndEvent()
    {
        _out.Json.WriteEndObject();
        _out.End();
    }

    public void Dispose()
    {
        _out.Dispose();
        if (_response is not null)
        {
            foreach (var item in _response.Output)
            {
                item.Dispose();
            }
        }
    }
}
