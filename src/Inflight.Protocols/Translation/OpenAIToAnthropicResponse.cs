using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Translation;

/// <summary>OpenAI <c>chat.completion</c> → Anthropic Messages response (<c>"type": "message"</c>).</summary>
public static class OpenAIToAnthropicResponse
{
    public static byte[] Translate(ReadOnlySpan<byte> openAIJson, TranslationContext ctx)
    {
        var completion = JsonOutput.ParseObject(openAIJson, "upstream response");
        var choice = completion["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;
        var message = choice.Prop("message");

        var content = new JsonArray();
        var text = message.Prop("content").AsString();
        var refusal = message.Prop("refusal").AsString();
        if (!string.IsNullOrEmpty(text))
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }
        else if (!string.IsNullOrEmpty(refusal))
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = refusal });
        }

        if (message.Prop("tool_calls") is JsonArray calls)
        {
            foreach (var call in calls)
            {
                var function = call.Prop("function");
                var input = OpenAIToAnthropicRequest.ToolInput(function, ctx);
                content.Add(new JsonObject
                {
                    ["type"] = "tool_use",
                    ["id"] = call.Prop("id").AsString() ?? "toolu_" + content.Count,
                    ["name"] = function.Prop("name").AsString(),
                    ["input"] = input,
                });
            }
        }

        if (message.Prop("reasoning_content") is not null || message.Prop("reasoning") is not null)
        {
            ctx.Drop("reasoning text in the response (no signed thinking block to carry it)");
        }

        var finishReason = choice.Prop("finish_reason").AsString();
        // Some servers finish a tool-calling turn with "stop"; Anthropic clients run tools on tool_use.
        if (finishReason == "stop" && message.Prop("tool_calls") is JsonArray { Count: > 0 })
        {
            finishReason = "tool_calls";
        }

        var stopReason = !string.IsNullOrEmpty(refusal) && string.IsNullOrEmpty(text) ? "refusal" : StopReasons.ToAnthropic(finishReason);

        var output = new JsonObject
        {
            ["id"] = WireIds.Anthropic(completion["id"].AsString()),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = ctx.ModelForClient(completion["model"].AsString()),
            ["content"] = content,
            ["stop_reason"] = stopReason,
            ["stop_sequence"] = null, // Chat Completions does not say which stop sequence matched.
            ["usage"] = Usage(completion["usage"], ctx.EstimatedInputTokens),
        };

        return JsonOutput.ToBytes(output);
    }

    /// <summary>
    /// OpenAI counts cached tokens inside prompt_tokens; Anthropic counts them apart from input_tokens.
    /// Read the way the tracker reads it (<see cref="UsageJson.ReadOpenAI"/>: OpenRouter's cache writes,
    /// DeepSeek's cache hits), so the client and the dashboard report the same figures.
    /// Reasoning tokens are already inside completion_tokens, which Anthropic bills as output too.
    /// </summary>
    internal static JsonObject Usage(JsonNode? usage, int estimatedInput)
    {
        var report = default(UsageReport);
        if (usage is JsonObject)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(usage.ToJsonString()));
            reader.Read();
            report = UsageJson.ReadOpenAI(ref reader);
        }

        return new JsonObject
        {
            ["input_tokens"] = report.InputTokens ?? estimatedInput,
            ["cache_creation_input_tokens"] = report.CacheCreationTokens ?? 0,
            ["cache_read_input_tokens"] = report.CacheReadTokens ?? 0,
            ["output_tokens"] = report.OutputTokens ?? 0,
        };
    }
}
