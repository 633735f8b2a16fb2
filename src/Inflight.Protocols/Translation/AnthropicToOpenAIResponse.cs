using System.Text;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>Anthropic Messages response → OpenAI <c>chat.completion</c>.</summary>
public static class AnthropicToOpenAIResponse
{
    public static byte[] Translate(ReadOnlySpan<byte> anthropicJson, TranslationContext ctx)
    {
        var response = JsonOutput.ParseObject(anthropicJson, "upstream response");
        var text = new StringBuilder();
        JsonArray? toolCalls = null;
        if (response["content"] is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                switch (block?["type"].AsString())
                {
                    case "text":
                        text.Append(block["text"].AsString());
                        break;
                    case "tool_use":
                        toolCalls ??= [];
                        toolCalls.Add(AnthropicToOpenAIRequest.ToolCall(block));
                        break;
                    default:
                        ctx.Drop($"response content block {block?["type"].AsString()}");
                        break;
                }
            }
        }

        var message = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = text.Length > 0 || toolCalls is null ? text.ToString() : null,
            ["refusal"] = null,
        };
        if (toolCalls is not null)
        {
            message["tool_calls"] = toolCalls;
        }

        var output = new JsonObject
        {
            ["id"] = WireIds.OpenAI(response["id"].AsString()),
            ["object"] = "chat.completion",
            ["created"] = ctx.TimeProvider.GetUtcNow().ToUnixTimeSeconds(),
            ["model"] = ctx.ModelForClient(response["model"].AsString()),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = null,
                ["finish_reason"] = StopReasons.ToOpenAI(response["stop_reason"].AsString()),
            }),
            ["usage"] = Usage(response["usage"]),
        };

        return JsonOutput.ToBytes(output);
    }

    /// <summary>OpenAI's prompt_tokens include cached prompt tokens; Anthropic reports them apart.</summary>
    internal static JsonObject Usage(JsonNode? usage) => Usage(
        usage?["input_tokens"].AsLong() ?? 0,
        usage?["cache_read_input_tokens"].AsLong() ?? 0,
        usage?["cache_creation_input_tokens"].AsLong() ?? 0,
        usage?["output_tokens"].AsLong() ?? 0);

    internal static JsonObject Usage(long input, long cacheRead, long cacheCreation, long output)
    {
        var prompt = input + cacheRead + cacheCreation;
        return new JsonObject
        {
            ["prompt_tokens"] = prompt,
            ["completion_tokens"] = output,
            ["total_tokens"] = prompt + output,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = cacheRead },
        };
    }
}
