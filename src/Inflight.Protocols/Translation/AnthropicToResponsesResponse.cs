using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Anthropic Messages response → Responses API <c>response</c> object: text blocks as a <c>message</c>
/// (consecutive ones joined in one <c>output_text</c> part), <c>tool_use</c> blocks as
/// <c>function_call</c> items, thinking blocks as <c>reasoning</c> items whose summary is the thinking
/// text and whose <c>encrypted_content</c> carries the signed block (<see cref="ThinkingEnvelope"/>).
/// </summary>
public static class AnthropicToResponsesResponse
{
    public static byte[] Translate(ReadOnlySpan<byte> anthropicMessageJson, TranslationContext ctx)
    {
        using var doc = JsonOutput.ParseDocument(anthropicMessageJson, "upstream response");
        var message = doc.RootElement;
        var response = new ResponsesObject(
            WireIds.Responses(Str(message, "id")),
            ctx.ModelForClient(Str(message, "model")),
            ctx.TimeProvider.GetUtcNow().ToUnixTimeSeconds());

        if (message.TryGetProperty("content", out var blocks) && blocks.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in blocks.EnumerateArray())
            {
                if (block.ValueKind == JsonValueKind.Object)
                {
                    AddBlock(response, block, ctx);
                }
            }
        }

        var incomplete = AnthropicToResponsesStreamTranslator.IncompleteReason(Str(message, "stop_reason"));
        foreach (var item in response.Output)
        {
            item.Status = "completed";
        }

        if (incomplete is not null && response.Output.Count > 0)
        {
            response.Output[^1].Status = "incomplete";
        }

        if (message.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            response.Usage = ResponsesUsage.FromAnthropic(
                Long(usage, "input_tokens"), Long(usage, "cache_read_input_tokens"), Long(usage, "cache_creation_input_tokens"), Long(usage, "output_tokens"));
        }

        response.Finish(incomplete);
        return response.ToBytes();
    }

    private static void AddBlock(ResponsesObject response, JsonElement block, TranslationContext ctx)
    {
        switch (Str(block, "type"))
        {
            case "text":
                var text = Str(block, "text") ?? "";
                if (response.Output is [.., { Kind: ResponsesItemKind.Message } last])
                {
                    last.Parts[0].Text.Append(text);
                }
                else
                {
                    var part = new ResponsesContentPart(isRefusal: false);
                    part.Text.Append(text);
                    response.Add(ResponsesItem.Message, "msg_").Parts.Add(part);
                }

                break;

            case "tool_use":
                var callId = Str(block, "id") ?? $"call_{response.Id}_{response.Output.Count}";
                var call = response.AddToolCall(callId, Str(block, "name") ?? "", ctx);
                call.Arguments.Append(block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object
                    ? JsonSerializer.Serialize(input, JsonOutput.SerializerOptions)
                    : "{}");
                call.CompleteInput(ctx);
                break;

            case "thinking":
                var reasoning = response.Add(ResponsesItem.Reasoning, "rs_");
                var thinking = Str(block, "thinking") ?? "";
                reasoning.Summary.Append(thinking);
                if (Str(block, "signature") is { Length: > 0 } signature)
                {
                    reasoning.EncryptedContent = ThinkingEnvelope.EncodeThinking(thinking, signature);
                }
                else
                {
                    ctx.Drop("thinking block without a signature (cannot be sent back to the provider)");
                }

                break;

            case "redacted_thinking":
                response.Add(ResponsesItem.Reasoning, "rs_").EncryptedContent = ThinkingEnvelope.EncodeRedacted(Str(block, "data") ?? "");
                break;

            case var other:
                ctx.Drop($"response content block {other}");
                break;
        }
    }

    private static string? Str(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;
}
