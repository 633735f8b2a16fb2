using System.Text.Json.Nodes;

using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The input items of a Responses request as Anthropic messages, for <see cref="ReferenceResponsesToAnthropicRequest"/>:
/// roles alternate (consecutive turns of one role merge), tool calls join the assistant turn before them,
/// and Inflight's reasoning items become thinking blocks at their position in the assistant turn they precede.
/// </summary>
internal sealed class ReferenceResponsesAnthropicConversation(ReferenceResponsesTools tools, JsonArray system, TranslationContext ctx)
{
    private readonly JsonArray _messages = [];
    private readonly List<JsonObject> _pendingThinking = [];

    public JsonArray Build(List<ReferenceInputItem> items)
    {
        foreach (var input in items)
        {
            var item = input.Item;
            switch (input.Type)
            {
                case "message":
                    AddMessage(input);
                    break;
                case "function_call":
                    AddAssistant(ToolUse(input, ToolInput(input)));
                    break;
                case "custom_tool_call":
                    AddAssistant(ToolUse(input, new JsonObject { [ReferenceResponsesTools.CustomInputProperty] = ReferenceResponsesInput.RequiredString(item, "input", input.Path) }));
                    break;
                case "function_call_output" or "custom_tool_call_output":
                    AddUser([ToolResult(input)]);
                    break;
                case "reasoning":
                    AddReasoning(input);
                    break;
                case "web_search_call" or "tool_search_call" or "tool_search_output":
                    ctx.Drop($"{input.Type} item");
                    break;
                case "item_reference":
                    throw new TranslationException(400, $"{input.Path}: item_reference points at a stored item; {ResponsesRequestFields.StatelessMessage}");
                default:
                    throw new TranslationException(400, $"{input.Path}.type: input item type '{input.Type}' is not supported by this model's provider.");
            }
        }

        DropPendingThinking();
        return _messages;
    }

    private void AddMessage(ReferenceInputItem input)
    {
        if (input.Item["phase"] is not null)
        {
            ctx.Drop("message phase");
        }

        switch (ReferenceResponsesInput.Role(input))
        {
            case "system" or "developer":
                if (_messages.Count > 0)
                {
                    ctx.Note("developer message after the first turn moved to system");
                }

                foreach (var part in ReferenceResponsesInput.TakeTextParts(input.Item, input.Path))
                {
                    ReferenceResponsesToAnthropicRequest.AddSystem(system, part);
                }

                break;
            case "assistant":
                var text = ReferenceResponsesInput.Text(input.Item, input.Path);
                AddAssistant(text.Length > 0 ? ReferenceResponsesToAnthropicRequest.TextBlock(text) : null);
                break;
            default:
                AddUser(UserBlocks(input.Item, input.Path));
                break;
        }
    }

    /// <summary>Appends to the open assistant turn (or starts one), thinking that preceded the block first.</summary>
    private void AddAssistant(JsonObject? block)
    {
        var blocks = new JsonArray();
        foreach (var thinking in _pendingThinking)
        {
            blocks.Add(thinking);
        }

        _pendingThinking.Clear();
        if (block is not null)
        {
            blocks.Add(block);
        }

        Append("assistant", blocks);
    }

    private void AddUser(JsonArray blocks)
    {
        DropPendingThinking();
        Append("user", blocks);
    }

    private void Append(string role, JsonArray blocks) => ReferenceOpenAIToAnthropicRequest.Append(_messages, role, blocks);

    private void AddReasoning(ReferenceInputItem input)
    {
        if (input.Item["encrypted_content"].AsString() is { } encrypted && ThinkingEnvelope.TryDecode(encrypted, out var decoded))
        {
            _pendingThinking.Add(decoded.IsRedacted
                ? new JsonObject { ["type"] = "redacted_thinking", ["data"] = decoded.RedactedData }
                : new JsonObject { ["type"] = "thinking", ["thinking"] = decoded.Thinking, ["signature"] = decoded.Signature });
        }
        else
        {
            ctx.Drop("reasoning item not made by Inflight (Anthropic cannot read it)");
        }
    }

    /// <summary>Thinking belongs at the start of the assistant turn it preceded; with none following, it has nowhere to go.</summary>
    private void DropPendingThinking()
    {
        if (_pendingThinking.Count > 0)
        {
            ctx.Drop("reasoning item with no assistant output after it");
            _pendingThinking.Clear();
        }
    }

    private JsonObject ToolInput(ReferenceInputItem input)
    {
        _ = input.Item["arguments"].AsString() ?? throw new TranslationException(400, $"{input.Path}.arguments: required (a string of JSON).");
        return ReferenceOpenAIToAnthropicRequest.ToolInput(input.Item, ctx);
    }

    private JsonObject ToolUse(ReferenceInputItem input, JsonObject toolInput) => new()
    {
        ["type"] = "tool_use",
        ["id"] = ReferenceResponsesInput.RequiredString(input.Item, "call_id", input.Path),
        ["name"] = tools.UpstreamName(ReferenceResponsesInput.RequiredString(input.Item, "name", input.Path), input.Item["namespace"].AsString()),
        ["input"] = toolInput,
    };

    private JsonObject ToolResult(ReferenceInputItem input)
    {
        var result = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = ReferenceResponsesInput.RequiredString(input.Item, "call_id", input.Path) };
        if (ReferenceResponsesInput.TakeString(input.Item, "output") is { } text)
        {
            result["content"] = text;
        }
        else if (input.Item["output"] is JsonArray parts)
        {
            var blocks = new JsonArray();
            for (var i = 0; i < parts.Count; i++)
            {
                var path = $"{input.Path}.output[{i}]";
                var part = ReferenceResponsesInput.Part(parts, i, $"{input.Path}.output");
                if (part["type"].AsString() is "input_text" or "output_text" or "input_image")
                {
                    AddBlock(blocks, part, path);
                }
                else
                {
                    throw new TranslationException(400, $"{path}.type: '{part["type"].AsString()}' cannot be part of a tool result for this model's provider.");
                }
            }

            result["content"] = blocks;
        }
        else
        {
            throw new TranslationException(400, $"{input.Path}.output: must be a string or an array of content parts.");
        }

        return result;
    }

    private JsonArray UserBlocks(JsonObject item, string path)
    {
        var blocks = new JsonArray();
        if (ReferenceResponsesInput.TakeString(item, "content") is { } text)
        {
            if (!ReferenceResponsesInput.IsEmptyString(text))
            {
                blocks.Add(ReferenceResponsesToAnthropicRequest.TextBlock(text));
            }

            return blocks;
        }

        if (item["content"] is not JsonArray parts)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content parts.");
        }

        for (var i = 0; i < parts.Count; i++)
        {
            AddBlock(blocks, ReferenceResponsesInput.Part(parts, i, path), $"{path}.content[{i}]");
        }

        return blocks;
    }

    private void AddBlock(JsonArray blocks, JsonObject part, string path)
    {
        switch (part["type"].AsString())
        {
            case "input_text" or "output_text" or "text":
                // Anthropic rejects empty text blocks.
                var text = ReferenceResponsesInput.TakeRequiredString(part, "text", path);
                if (!ReferenceResponsesInput.IsEmptyString(text))
                {
                    blocks.Add(ReferenceResponsesToAnthropicRequest.TextBlock(text));
                }

                break;
            case "input_image":
                var url = part["image_url"].AsString()
                    ?? throw new TranslationException(400, $"{path}: only images given by image_url can be translated (file_id refers to a file stored on OpenAI).");
                if (part["detail"].AsString() is { } detail and not "auto")
                {
                    ctx.Drop($"input_image detail {detail}");
                }

                RequireBase64(url, path);
                blocks.Add(ReferenceOpenAIToAnthropicRequest.Image(url));
                break;
            case "input_file":
                blocks.Add(Document(part, path));
                break;
            case var other:
                throw new TranslationException(400, $"{path}.type: content part type '{other}' is not supported by this model's provider.");
        }
    }

    /// <summary>
    /// A file as a <c>document</c> block: inline PDF or plain text as a Chat client's file part is sent
    /// (shared code), a <c>file_url</c> as a URL document; anything else cannot be read by Claude and is refused.
    /// </summary>
    private static JsonObject Document(JsonObject part, string path)
    {
        if (part["file_data"] is null && part["file_id"] is null && part["file_url"].AsString() is { } fileUrl)
        {
            var document = new JsonObject { ["type"] = "document", ["source"] = new JsonObject { ["type"] = "url", ["url"] = fileUrl } };
            if (part["filename"].AsString() is { } filename)
            {
                document["title"] = filename;
            }

            return document;
        }

        return ReferenceOpenAIToAnthropicRequest.Document(part, path);
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
