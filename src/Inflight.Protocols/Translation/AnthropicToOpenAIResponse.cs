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
        StringBuilder? reasoning = null;
        JsonArray? toolCalls = null;
        if (response["content"] is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                switch (block.Prop("type").AsString())
                {
                    case "text":
                        text.Append(block.Prop("text").AsString());
                        break;
                    case "tool_use":
                        toolCalls ??= [];
                        toolCalls.Add(AnthropicToOpenAIRequest.ToolCall(block!));
                        break;
                    case "thinking":
                        // Reasoning reaches OpenAI clients as reasoning_content, as OpenRouter and DeepSeek send it.
                        reasoning ??= new StringBuilder();
                        reasoning.Append(block.Prop("thinking").AsString());
                        if (block.Prop("signature") is not null)
                        {
                            ctx.Drop("thinking signature");
                        }

                        break;
                    default:
                        ctx.Drop($"response content block {block.Prop("type").AsString()}");
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
        if (reasoning is not null)
        {
            message["reasoning_content"] = reasoning.ToString();
        }

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
        usage.Prop("input_tokens").AsLong() ?? 0,
        usage.Prop("cache_read_input_tokens").AsLong() ?? 0,
        usage.Prop("cache_creation_input_tokens").AsLong() ?? 0,
        usage.Prop("output_tokens").AsLong() ?? 0);

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
