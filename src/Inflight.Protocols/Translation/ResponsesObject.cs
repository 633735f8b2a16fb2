using System.Buffers;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// A Responses API <c>response</c> object as it is built, written the same way in a non-streamed answer
/// and in the stream's <c>response.*</c> lifecycle events. Inflight is stateless and does not see the
/// client's request here, so request echoes it cannot know are written as the API's defaults
/// (<c>tools: []</c>, <c>tool_choice: "auto"</c>, <c>store: false</c>) or null.
/// </summary>
internal sealed class ResponsesObject
{
    private readonly string _idCore;

    public ResponsesObject(string id, string model, long createdAt)
    {
        Id = id;
        Model = model;
        CreatedAt = createdAt;
        _idCore = id.StartsWith("resp_", StringComparison.Ordinal) ? id[5..] : id;
    }

    public string Id { get; }

    public string Model { get; }

    public long CreatedAt { get; }

    /// <summary><c>in_progress</c>, <c>completed</c>, <c>incomplete</c> or <c>failed</c>.</summary>
    public string Status { get; set; } = "in_progress";

    public List<ResponsesItem> Output { get; } = [];

    public ResponsesUsage? Usage { get; set; }

    /// <summary><c>max_output_tokens</c> or <c>content_filter</c> when <see cref="Status"/> is <c>incomplete</c>.</summary>
    public string? IncompleteReason { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>Adds an item with an id in the API's form (<c>msg_</c>, <c>fc_</c>, <c>rs_</c>) derived from the response id.</summary>
    public ResponsesItem Add(Func<string, ResponsesItem> create, string prefix)
    {
        var item = create(string.Concat(prefix, _idCore, "_", Output.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        item.OutputIndex = Output.Count;
        Output.Add(item);
        return item;
    }

    /// <summary>Adds a call of the upstream function <paramref name="upstreamName"/>, mapped back to the client's tool (<see cref="ResponsesItem.ToolCall"/>).</summary>
    public ResponsesItem AddToolCall(string callId, string upstreamName, TranslationContext ctx)
    {
        var client = ctx.ToolNamesForClient is { } names && names.TryGetValue(upstreamName, out var c) ? c : null;
        return Add(id => ResponsesItem.ToolCall(id, callId, upstreamName, client), client?.Kind == ClientToolKind.Custom ? "ctc_" : "fc_");
    }

    /// <summary>Sets the final status from the upstream's stop: max tokens and content filtering leave the response incomplete.</summary>
    public void Finish(string? incompleteReason)
    {
        IncompleteReason = incompleteReason;
        Status = incompleteReason is null ? "completed" : "incomplete";
    }

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, Id);
        w.WriteString("object"u8, "response"u8);
        w.WriteNumber("created_at"u8, CreatedAt);
        w.WriteString("status"u8, Status);
        w.WriteBoolean("background"u8, false);
        if (ErrorCode is null)
        {
            w.WriteNull("error"u8);
        }
        else
        {
            w.WriteStartObject("error"u8);
            w.WriteString("code"u8, ErrorCode);
            w.WriteString("message"u8, ErrorMessage ?? "");
            w.WriteEndObject();
        }

        if (IncompleteReason is null)
        {
            w.WriteNull("incomplete_details"u8);
        }
        else
        {
            w.WriteStartObject("incomplete_details"u8);
            w.WriteString("reason"u8, IncompleteReason);
            w.WriteEndObject();
        }

        w.WriteNull("instructions"u8);
        w.WriteNull("max_output_tokens"u8);
        w.WriteString("model"u8, Model);
        w.WriteStartArray("output"u8);
        foreach (var item in Output)
        {
            item.WriteTo(w);
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls"u8, true);
        w.WriteNull("previous_response_id"u8);
        w.WriteBoolean("store"u8, false);
        w.WriteNull("temperature"u8);
        w.WriteString("tool_choice"u8, "auto"u8);
        w.WriteStartArray("tools"u8);
        w.WriteEndArray();
        w.WriteNull("top_p"u8);
        w.WriteString("truncation"u8, "disabled"u8);
        if (Usage is { } usage)
        {
            w.WritePropertyName("usage"u8);
            usage.WriteTo(w);
        }
        else
        {
            w.WriteNull("usage"u8);
        }

        w.WriteStartObject("metadata"u8);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
