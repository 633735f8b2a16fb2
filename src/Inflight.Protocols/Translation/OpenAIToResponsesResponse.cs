using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// OpenAI <c>chat.completion</c> → Responses API <c>response</c> object: reasoning text
/// (<c>reasoning_content</c>) as a <c>reasoning</c> item with a summary, content and refusal as a
/// <c>message</c>, tool calls as <c>function_call</c> items, usage re-shaped.
/// </summary>
public static class OpenAIToResponsesResponse
{
    public static byte[] Translate(ReadOnlySpan<byte> chatCompletionJson, TranslationContext ctx)
    {
        using var doc = JsonOutput.ParseDocument(chatCompletionJson, "upstream response");
        var completion = doc.RootElement;
        var response = new ResponsesObject(
            WireIds.Responses(Str(completion, "id")),
            ctx.ModelForClient(Str(completion, "model")),
            ctx.TimeProvider.GetUtcNow().ToUnixTimeSeconds());

        var choice = completion.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            ? choices[0]
            : default;
        var message = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        if (message.ValueKind == JsonValueKind.Object)
        {
            AddOutput(response, message, ctx);
        }

        var incomplete = OpenAIToResponsesStreamTranslator.IncompleteReason(choice.ValueKind == JsonValueKind.Object ? Str(choice, "finish_reason") : null);
        foreach (var item in response.Output)
        {
            item.Status = "completed";
        }

        if (incomplete is not null && response.Output.Count > 0)
        {
            response.Output[^1].Status = "incomplete";
        }

        if (completion.TryGetProperty("usage", out var usage))
        {
            response.Usage = ResponsesUsage.FromOpenAI(usage);
        }

        response.Finish(incomplete);
        return response.ToBytes();
    }

    private static void AddOutput(ResponsesObject response, JsonElement message, TranslationContext ctx)
    {
        if ((Str(message, "reasoning_content") ?? Str(message, "reasoning")) is { Length: > 0 } reasoning)
        {
            response.Add(ResponsesItem.Reasoning, "rs_").Summary.Append(reasoning);
        }

        var text = Str(message, "content");
        var refusal = Str(message, "refusal");
        if (!string.IsNullOrEmpty(text) || !string.IsNullOrEmpty(refusal))
        {
            var item = response.Add(ResponsesItem.Message, "msg_");
            if (!string.IsNullOrEmpty(text))
            {
                item.Parts.Add(Part(isRefusal: false, text));
            }

            if (!string.IsNullOrEmpty(refusal))
            {
                item.Parts.Add(Part(isRefusal: true, refusal));
            }
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                var name = function.ValueKind == JsonValueKind.Object ? Str(function, "name") ?? "" : "";
                var callId = Str(call, "id") is { Length: > 0 } id ? id : $"call_{response.Id}_{response.Output.Count}";
                var item = response.AddToolCall(callId, name, ctx);
                var arguments = function.ValueKind == JsonValueKind.Object ? Str(function, "arguments") : null;
                item.Arguments.Append(string.IsNullOrEmpty(arguments) ? "{}" : arguments);
                item.CompleteInput(ctx);
            }
        }
    }

    private static ResponsesContentPart Part(bool isRefusal, string text)
    {
        var part = new ResponsesContentPart(isRefusal);
        part.Text.Append(text);
        return part;
    }

    private static string? Str(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
