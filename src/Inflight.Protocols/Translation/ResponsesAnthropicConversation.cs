using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// The input items of a Responses request as Anthropic messages, for <see cref="ResponsesToAnthropicRequest"/>, written as
/// they are read into a pooled buffer (the system blocks into another): roles alternate (consecutive turns of one role
/// merge), tool calls join the assistant turn before them, and Inflight's reasoning items become thinking blocks at their
/// position in the assistant turn they precede.
/// </summary>
internal sealed class ResponsesAnthropicConversation : IDisposable
{
    private readonly TranslationContext _ctx;
    private readonly PooledBufferWriter _messagesBuffer;
    private readonly Utf8JsonWriter _messages;
    private readonly PooledBufferWriter _systemBuffer;
    private readonly Utf8JsonWriter _system;
    private readonly List<DecodedThinking> _pendingThinking = [];
    private ResponsesTools _tools = null!;

    // The conversation as written so far: the open message's role, whether the last holds a tool result, whether the
    // latest assistant message starts with thinking.
    private Role _open;
    private bool _lastHasToolResult;
    private bool _assistantStartsWithThinking;
    private int _systemCount;

    public ResponsesAnthropicConversation(TranslationContext ctx, int length)
    {
        _ctx = ctx;
        _messagesBuffer = new PooledBufferWriter(length + 256);
        _messages = new Utf8JsonWriter(_messagesBuffer, JsonOutput.WriterOptions);
        _systemBuffer = new PooledBufferWriter(256);
        _system = new Utf8JsonWriter(_systemBuffer, JsonOutput.WriterOptions);
        _messages.WriteStartArray();
        _system.WriteStartArray();
    }

    private enum Role
    {
        None,
        User,
        Assistant,
    }

    public int MessageCount { get; private set; }

    /// <summary>The conversation ends in tool results answering an assistant turn that has no thinking block.</summary>
    public bool IsToolContinuationWithoutThinking => MessageCount >= 2 && _open == Role.User && _lastHasToolResult && !_assistantStartsWithThinking;

    public void Dispose()
    {
        _messages.Dispose();
        _messagesBuffer.Dispose();
        _system.Dispose();
        _systemBuffer.Dispose();
    }

    /// <summary>A system text block; Anthropic rejects empty text blocks.</summary>
    public void AddSystem(JsonElement text)
    {
        if (!text.IsEmptyString())
        {
            _system.WriteStartObject();
            _system.WriteString("type", "text");
            _system.WritePropertyName("text");
            text.WriteTo(_system);
            _system.WriteEndObject();
            _systemCount++;
        }
    }

    public void AddSystem(string text)
    {
        _system.WriteStartObject();
        _system.WriteString("type", "text");
        _system.WriteString("text", text);
        _system.WriteEndObject();
        _systemCount++;
    }

    public void Build(JsonElement input, ResponsesTools tools)
    {
        _tools = tools;
        if (input.ValueKind == JsonValueKind.String)
        {
            if (!input.IsEmptyString())
            {
                Begin(Role.User);
                WriteTextBlock(input);
            }

            DropPendingThinking();
            return;
        }

        var index = 0;
        foreach (var item in input.EnumerateArray())
        {
            var path = $"input[{index++}]";
            var type = ResponsesInput.ItemType(item)!;
            switch (type)
            {
                case "message":
                    AddMessage(item, path);
                    break;
                case "function_call":
                {
                    if (item.Prop("arguments") is not { ValueKind: JsonValueKind.String } arguments)
                    {
                        throw new TranslationException(400, $"{path}.arguments: required (a string of JSON).");
                    }

                    var callId = ResponsesInput.RequiredString(item, "call_id", path);
                    var name = tools.UpstreamName(ResponsesInput.RequiredString(item, "name", path), item.Prop("namespace").AsString());
                    StartAssistantBlock();
                    StartToolUse(callId, name);
                    OpenAIToAnthropicRequest.WriteToolInput(arguments, _messages, _ctx);
                    _messages.WriteEndObject();
                    break;
                }

                case "custom_tool_call":
                {
                    var customInput = ResponsesInput.RequiredText(item, "input", path);
                    var callId = ResponsesInput.RequiredString(item, "call_id", path);
                    var name = tools.UpstreamName(ResponsesInput.RequiredString(item, "name", path), item.Prop("namespace").AsString());
                    StartAssistantBlock();
                    StartToolUse(callId, name);
                    _messages.WriteStartObject();
                    _messages.WritePropertyName(ResponsesTools.CustomInputProperty);
                    customInput.WriteTo(_messages);
                    _messages.WriteEndObject();
                    _messages.WriteEndObject();
                    break;
                }

                case "function_call_output" or "custom_tool_call_output":
                    WriteToolResult(item, path);
                    DropPendingThinking();
                    break;
                case "reasoning":
                    AddReasoning(item);
                    break;
                case "web_search_call" or "tool_search_call" or "tool_search_output":
                    _ctx.Drop($"{type} item");
                    break;
                case "item_reference":
                    throw new TranslationException(400, $"{path}: item_reference points at a stored item; {ResponsesRequestFields.StatelessMessage}");
                default:
                    throw new TranslationException(400, $"{path}.type: input item type '{type}' is not supported by this model's provider.");
            }
        }

        DropPendingThinking();
    }

    /// <summary>Writes <c>"system"</c> (when there are blocks) and <c>"messages"</c> into the output.</summary>
    public void WriteSystemAndMessages(Utf8JsonWriter w)
    {
        _system.WriteEndArray();
        _system.Flush();
        if (_systemCount > 0)
        {
            w.WritePropertyName("system");
            w.WriteRawValue(_systemBuffer.WrittenSpan, skipInputValidation: true);
        }

        if (_open != Role.None)
        {
            _messages.WriteEndArray();
            _messages.WriteEndObject();
            _open = Role.None;
        }

        _messages.WriteEndArray();
        _messages.Flush();
        w.WritePropertyName("messages");
        w.WriteRawValue(_messagesBuffer.WrittenSpan, skipInputValidation: true);
    }

    /// <summary>Before a block of <paramref name="role"/>: a block joins the open message of its role or starts the next message.</summary>
    private void Begin(Role role)
    {
        if (_open == role)
        {
            return;
        }

        if (_open != Role.None)
        {
            _messages.WriteEndArray();
            _messages.WriteEndObject();
        }

        _messages.WriteStartObject();
        _messages.WriteString("role", role == Role.User ? "user" : "assistant");
        _messages.WriteStartArray("content");
        _open = role;
        MessageCount++;
        _lastHasToolResult = false;
        if (role == Role.Assistant)
        {
            _assistantStartsWithThinking = _pendingThinking.Count > 0;
        }
    }

    /// <summary>Opens the assistant turn for a block (or joins it), writing the thinking that preceded the block first.</summary>
    private void StartAssistantBlock()
    {
        Begin(Role.Assistant);
        WritePendingThinking();
    }

    private void WritePendingThinking()
    {
        foreach (var thinking in _pendingThinking)
        {
            _messages.WriteStartObject();
            if (thinking.IsRedacted)
            {
                _messages.WriteString("type", "redacted_thinking");
                _messages.WriteString("data", thinking.RedactedData);
            }
            else
            {
                _messages.WriteString("type", "thinking");
                _messages.WriteString("thinking", thinking.Thinking);
                _messages.WriteString("signature", thinking.Signature);
            }

            _messages.WriteEndObject();
        }

        _pendingThinking.Clear();
    }

    private void StartToolUse(string callId, string name)
    {
        _messages.WriteStartObject();
        _messages.WriteString("type", "tool_use");
        _messages.WriteString("id", callId);
        _messages.WriteString("name", name);
        _messages.WritePropertyName("input");
    }

    private void WriteTextBlock(JsonElement text)
    {
        _messages.WriteStartObject();
        _messages.WriteString("type", "text");
        _messages.WritePropertyName("text");
        text.WriteTo(_messages);
        _messages.WriteEndObject();
    }

    private void AddMessage(JsonElement item, string path)
    {
        if (item.Prop("phase") is not null)
        {
            _ctx.Drop("message phase");
        }

        switch (ResponsesInput.Role(item, path))
        {
            case "system" or "developer":
                if (MessageCount > 0)
                {
                    _ctx.Note("developer message after the first turn moved to system");
                }

                var content = item.Prop("content");
                if (content is { ValueKind: JsonValueKind.String } whole)
                {
                    AddSystem(whole);
                    break;
                }

                var parts = ResponsesInput.Parts(content, $"{path}.content");
                var texts = new List<JsonElement>(parts.GetArrayLength());
                var i = 0;
                foreach (var part in parts.EnumerateArray())
                {
                    texts.Add(ResponsesInput.TextPart(part, path, i++));
                }

                foreach (var text in texts)
                {
                    AddSystem(text);
                }

                break;
            case "assistant":
                AddAssistantText(item.Prop("content"), path);
                break;
            default:
                WriteUserBlocks(item.Prop("content"), path);
                DropPendingThinking();
                break;
        }
    }

    /// <summary>The text of an assistant message (output_text and refusal parts, which the model wrote as one text), after the thinking that preceded it.</summary>
    private void AddAssistantText(JsonElement? content, string path)
    {
        if (content is { ValueKind: JsonValueKind.String } whole)
        {
            if (!whole.IsEmptyString() || _pendingThinking.Count > 0)
            {
                StartAssistantBlock();
                if (!whole.IsEmptyString())
                {
                    WriteTextBlock(whole);
                }
            }

            return;
        }

        using var text = new Utf8Text();
        ResponsesInput.AppendTextParts(text, content, path);

        if (!text.IsEmpty || _pendingThinking.Count > 0)
        {
            StartAssistantBlock();
            if (!text.IsEmpty)
            {
                _messages.WriteStartObject();
                _messages.WriteString("type", "text");
                _messages.WritePropertyName("text");
                text.WriteTo(_messages);
                _messages.WriteEndObject();
            }
        }
    }

    private void AddReasoning(JsonElement item)
    {
        if (item.Prop("encrypted_content").AsString() is { } encrypted && ThinkingEnvelope.TryDecode(encrypted, out var decoded))
        {
            _pendingThinking.Add(decoded);
        }
        else
        {
            _ctx.Drop("reasoning item not made by Inflight (Anthropic cannot read it)");
        }
    }

    /// <summary>Thinking belongs at the start of the assistant turn it preceded; with none following, it has nowhere to go.</summary>
    private void DropPendingThinking()
    {
        if (_pendingThinking.Count > 0)
        {
            _ctx.Drop("reasoning item with no assistant output after it");
            _pendingThinking.Clear();
        }
    }

    private void WriteToolResult(JsonElement item, string path)
    {
        var callId = ResponsesInput.RequiredString(item, "call_id", path);
        var output = item.Prop("output");
        if (output is not ({ ValueKind: JsonValueKind.String } or { ValueKind: JsonValueKind.Array }))
        {
            throw new TranslationException(400, $"{path}.output: must be a string or an array of content parts.");
        }

        Begin(Role.User);
        _messages.WriteStartObject();
        _messages.WriteString("type", "tool_result");
        _messages.WriteString("tool_use_id", callId);
        _messages.WritePropertyName("content");
        if (output.Value.ValueKind == JsonValueKind.String)
        {
            output.Value.WriteTo(_messages);
        }
        else
        {
            _messages.WriteStartArray();
            var i = 0;
            foreach (var element in output.Value.EnumerateArray())
            {
                var partPath = $"{path}.output[{i}]";
                var part = ResponsesInput.Part(element, $"{path}.output", i);
                var type = part.Prop("type");
                if (type.Is("input_text") || type.Is("output_text") || type.Is("input_image"))
                {
                    WriteBlock(part, partPath);
                }
                else
                {
                    throw new TranslationException(400, $"{partPath}.type: '{type.AsString()}' cannot be part of a tool result for this model's provider.");
                }

                i++;
            }

            _messages.WriteEndArray();
        }

        _messages.WriteEndObject();
        _lastHasToolResult = true;
    }

    private void WriteUserBlocks(JsonElement? content, string path)
    {
        if (content is { ValueKind: JsonValueKind.String } text)
        {
            if (!text.IsEmptyString())
            {
                Begin(Role.User);
                WriteTextBlock(text);
            }

            return;
        }

        if (content is not { ValueKind: JsonValueKind.Array } parts)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content parts.");
        }

        var i = 0;
        foreach (var element in parts.EnumerateArray())
        {
            var part = ResponsesInput.Part(element, path, i);
            var partPath = $"{path}.content[{i}]";
            if (!IsEmptyTextPart(part, partPath))
            {
                Begin(Role.User);
                WriteBlock(part, partPath);
            }

            i++;
        }
    }

    /// <summary>A text part whose text is empty writes no block (Anthropic rejects empty text blocks); a text part without text is refused.</summary>
    private static bool IsEmptyTextPart(JsonElement part, string path)
    {
        var type = part.Prop("type");
        return (type.Is("input_text") || type.Is("output_text") || type.Is("text")) && ResponsesInput.RequiredText(part, "text", path).IsEmptyString();
    }

    private void WriteBlock(JsonElement part, string path)
    {
        var type = part.Prop("type");
        if (type.Is("input_text") || type.Is("output_text") || type.Is("text"))
        {
            // Anthropic rejects empty text blocks; in a tool result an empty one is left out of the content array.
            var text = ResponsesInput.RequiredText(part, "text", path);
            if (!text.IsEmptyString())
            {
                WriteTextBlock(text);
            }
        }
        else if (type.Is("input_image"))
        {
            if (part.Prop("image_url") is not { ValueKind: JsonValueKind.String } url)
            {
                throw new TranslationException(400, $"{path}: only images given by image_url can be translated (file_id refers to a file stored on OpenAI).");
            }

            if (part.Prop("detail").AsString() is { } detail and not "auto")
            {
                _ctx.Drop($"input_image detail {detail}");
            }

            RequireBase64(url.GetString()!, path);
            OpenAIToAnthropicRequest.WriteImage(url, _messages);
        }
        else if (type.Is("input_file"))
        {
            WriteDocument(part, path);
        }
        else
        {
            throw new TranslationException(400, $"{path}.type: content part type '{type.AsString()}' is not supported by this model's provider.");
        }
    }

    /// <summary>
    /// A file as a <c>document</c> block: inline PDF or plain text as a Chat client's file part is sent
    /// (shared code), a <c>file_url</c> as a URL document; anything else cannot be read by Claude and is refused.
    /// </summary>
    private void WriteDocument(JsonElement part, string path)
    {
        if (part.Prop("file_data") is null && part.Prop("file_id") is null && part.Prop("file_url") is { ValueKind: JsonValueKind.String } fileUrl)
        {
            _messages.WriteStartObject();
            _messages.WriteString("type", "document");
            _messages.WriteStartObject("source");
            _messages.WriteString("type", "url");
            _messages.WritePropertyName("url");
            fileUrl.WriteTo(_messages);
            _messages.WriteEndObject();
            if (part.Prop("filename") is { ValueKind: JsonValueKind.String } filename)
            {
                _messages.WritePropertyName("title");
                filename.WriteTo(_messages);
            }

            _messages.WriteEndObject();
            return;
        }

        OpenAIToAnthropicRequest.WriteDocument(part, path, _messages);
    }

    /// <summary>Anthropic takes data URLs only as base64 sources; any other data URL is refused here rather than upstream.</summary>
    private static void RequireBase64(string url, string path)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && url.IndexOf(";base64,", StringComparison.OrdinalIgnoreCase) <= 5)
        {
            throw new TranslationException(400, $"{path}: a data URL must be base64 ('data:<media type>;base64,…').");
        }
    }
}
