using System.Text.Json;

namespace Inflight.Protocols.Translation;

internal enum ResponsesItemKind
{
    Message,
    FunctionCall,

    /// <summary>A call to a client <c>custom</c> (freeform) tool, which the upstream saw as a function taking one string.</summary>
    CustomToolCall,
    Reasoning,
}

/// <summary>
/// One Responses output item as it is built: an assistant <c>message</c>, a <c>function_call</c>, a
/// <c>custom_tool_call</c> or a <c>reasoning</c> item. <see cref="WriteTo"/> writes its current state,
/// which is the in-progress shape when it has just been added and the final shape once it is done.
/// </summary>
internal sealed class ResponsesItem : IDisposable
{
    private ResponsesItem(ResponsesItemKind kind, string id)
    {
        Kind = kind;
        Id = id;
    }

    public ResponsesItemKind Kind { get; }

    public string Id { get; }

    /// <summary>The item's position in the response's <c>output</c>.</summary>
    public int OutputIndex { get; set; }

    /// <summary><c>in_progress</c>, <c>completed</c> or <c>incomplete</c>.</summary>
    public string Status { get; set; } = "in_progress";

    /// <summary>A message's content parts (<c>output_text</c> or <c>refusal</c>).</summary>
    public List<ResponsesContentPart> Parts { get; } = [];

    public string CallId { get; private init; } = "";

    /// <summary>The function name as the client declared it (mapped back from the upstream name).</summary>
    public string Name { get; private init; } = "";

    /// <summary>The client's <c>namespace</c> tool the function belongs to; null for a plain function.</summary>
    public string? Namespace { get; private init; }

    /// <summary>A tool call's arguments as the upstream sent them (for a custom tool, <c>{"input": "…"}</c>).</summary>
    public PooledText Arguments { get; } = new();

    /// <summary>A custom tool call's freeform input, read from <see cref="Arguments"/> when the call is complete.</summary>
    public string? Input { get; private set; }

    /// <summary>A reasoning item's summary text (one <c>summary_text</c> part when not empty).</summary>
    public PooledText Summary { get; } = new();

    /// <summary>Whether a reasoning item's summary part was announced (streaming) or has text.</summary>
    public bool HasSummaryPart { get; set; }

    public string? EncryptedContent { get; set; }

    public static ResponsesItem Message(string id) => new(ResponsesItemKind.Message, id);

    public static ResponsesItem Reasoning(string id) => new(ResponsesItemKind.Reasoning, id);

    /// <summary>
    /// A call of the upstream function <paramref name="upstreamName"/> as the client declared the tool: its
    /// name and namespace mapped back, and a <c>custom_tool_call</c> when it is a custom tool.
    /// </summary>
    public static ResponsesItem ToolCall(string id, string callId, string upstreamName, ClientToolName? client)
        => new(client?.Kind == ClientToolKind.Custom ? ResponsesItemKind.CustomToolCall : ResponsesItemKind.FunctionCall, id)
        {
            CallId = callId,
            Name = client?.Name ?? upstreamName,
            Namespace = client?.Namespace,
        };

    /// <summary>
    /// Reads a complete custom tool call's input from its arguments, <c>{"input": "…"}</c>. Arguments of
    /// another shape are passed through whole as the input, and recorded.
    /// </summary>
    public void CompleteInput(TranslationContext ctx)
    {
        if (Kind != ResponsesItemKind.CustomToolCall || Input is not null)
        {
            return;
        }

        var arguments = Arguments.ToString();
        if (string.IsNullOrWhiteSpace(arguments))
        {
            Input = "";
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(arguments);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(ResponsesTools.CustomInputProperty, out var input) && input.ValueKind == JsonValueKind.String)
            {
                Input = input.GetString();
                return;
            }

            if (root.ValueKind == JsonValueKind.Object && !root.EnumerateObject().Any())
            {
                Input = ""; // Called without arguments.
                return;
            }
        }
        catch (JsonException)
        {
        }

        ctx.Drop("custom tool call arguments that were not {\"input\": string}, passed whole as the input");
        Input = arguments;
    }

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, Id);
        switch (Kind)
        {
            case ResponsesItemKind.Message:
                w.WriteString("type"u8, "message"u8);
                w.WriteString("status"u8, Status);
                w.WriteStartArray("content"u8);
                foreach (var part in Parts)
                {
                    part.WriteTo(w);
                }

                w.WriteEndArray();
                w.WriteString("role"u8, "assistant"u8);
                break;

            case ResponsesItemKind.FunctionCall:
                w.WriteString("type"u8, "function_call"u8);
                w.WriteString("status"u8, Status);
                w.WriteString("arguments"u8, Arguments.Span);
                w.WriteString("call_id"u8, CallId);
                w.WriteString("name"u8, Name);
                if (Namespace is not null)
                {
                    w.WriteString("namespace"u8, Namespace);
                }

                break;

            case ResponsesItemKind.CustomToolCall:
                w.WriteString("type"u8, "custom_tool_call"u8);
                w.WriteString("status"u8, Status);
                w.WriteString("call_id"u8, CallId);
                w.WriteString("name"u8, Name);
                if (Namespace is not null)
                {
                    w.WriteString("namespace"u8, Namespace);
                }

                w.WriteString("input"u8, Input ?? "");
                break;

            default:
                w.WriteString("type"u8, "reasoning"u8);
                w.WriteStartArray("summary"u8);
                if (HasSummaryPart || Summary.Length > 0)
                {
                    WriteSummaryPart(w);
                }

                w.WriteEndArray();
                if (EncryptedContent is not null)
                {
                    w.WriteString("encrypted_content"u8, EncryptedContent);
                }

                break;
        }

        w.WriteEndObject();
    }

    /// <summary>Returns the pooled text buffers (a stream's items, once the stream is done).</summary>
    public void Dispose()
    {
        Arguments.Dispose();
        Summary.Dispose();
        foreach (var part in Parts)
        {
            part.Dispose();
        }
    }

    public void WriteSummaryPart(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "summary_text"u8);
        w.WriteString("text"u8, Summary.Span);
        w.WriteEndObject();
    }
}

/// <summary>A message content part: <c>output_text</c>, or <c>refusal</c> when the model declined.</summary>
internal sealed class ResponsesContentPart(bool isRefusal) : IDisposable
{
    public bool IsRefusal { get; } = isRefusal;

    public PooledText Text { get; } = new();

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (IsRefusal)
        {
            w.WriteString("type"u8, "refusal"u8);
            w.WriteString("refusal"u8, Text.Span);
        }
        else
        {
            w.WriteString("type"u8, "output_text"u8);
            w.WriteStartArray("annotations"u8);
            w.WriteEndArray();
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
            w.WriteString("text"u8, Text.Span);
        }

        w.WriteEndObject();
    }

    public void Dispose() => Text.Dispose();
}
