using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Testing;
using Microsoft.AspNetCore.Http;

namespace Inflight.Tests.Clients;

/// <summary>
/// A fake provider for Claude Code's traffic, in either wire format: it streams the way the real APIs do
/// (Anthropic message events; OpenAI <c>chat.completion.chunk</c>s with a usage chunk and <c>[DONE]</c>),
/// answers token counts and model lists, and can ask for one <c>Bash</c> call before it answers.
/// </summary>
internal sealed class ClaudeCodeProvider(string format, string? bashCommand = null)
{
    public const string PlainAnswer = "Inflight acceptance: hello from the fake provider.";
    public const string ToolCallId = "call_inflight_bash_1";

    /// <summary>The answer after the tool ran: it quotes the tool result the provider received.</summary>
    public static string AnswerAfterTool(string toolResult) => "The command printed: " + toolResult;

    /// <summary>Output-token limits of the OpenAI models the tests alias Claude's names to.</summary>
    private static readonly Dictionary<string, int> s_openAIOutputLimits = new()
    {
        ["gpt-4o-mini"] = 16_384,
        ["gpt-4.1"] = 32_768,
        ["gpt-5"] = 128_000,
    };

    private static readonly Dictionary<string, string> s_anthropicHeaders = new()
    {
        ["request-id"] = "req_011CSHoEeqs5C35K2UUqR7Fy",
        ["anthropic-ratelimit-requests-limit"] = "4000",
        ["anthropic-ratelimit-requests-remaining"] = "3999",
        ["anthropic-ratelimit-requests-reset"] = "2026-12-01T10:00:00Z",
        ["anthropic-ratelimit-tokens-limit"] = "400000",
        ["anthropic-ratelimit-tokens-remaining"] = "398000",
        ["anthropic-ratelimit-tokens-reset"] = "2026-12-01T10:00:00Z",
    };

    private static readonly Dictionary<string, string> s_openAIHeaders = new()
    {
        ["x-request-id"] = "req_7d2f0c5e1b9a4c3d8e6f",
        ["x-ratelimit-limit-requests"] = "5000",
        ["x-ratelimit-remaining-requests"] = "4999",
        ["x-ratelimit-reset-requests"] = "12ms",
        ["x-ratelimit-limit-tokens"] = "160000",
        ["x-ratelimit-remaining-tokens"] = "157655",
        ["x-ratelimit-reset-tokens"] = "880ms",
        ["openai-processing-ms"] = "190",
    };

    /// <summary>Models the provider lists on <c>GET /v1/models</c>.</summary>
    public IReadOnlyList<string> Models { get; init; } = format == "anthropic"
        ? ["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"]
        : ["gpt-4.1", "gpt-4o-mini"];

    /// <summary>Awaited before a model request is answered, for tests that must see a side effect of the CLI first.</summary>
    public Func<Task>? BeforeAnswer { get; init; }

    public async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        if (BeforeAnswer is { } before && request.Method == "POST" && !request.PathAndQuery.Contains("count_tokens", StringComparison.Ordinal))
        {
            await before();
        }

        await AnswerAsync(context, request);
    }

    private Task AnswerAsync(HttpContext context, RecordedRequest request)
    {
        var path = request.PathAndQuery;
        if (request.Method == "GET" && path.StartsWith("/v1/models", StringComparison.Ordinal))
        {
            return FakeResponses.WriteJsonAsync(context, format == "anthropic" ? AnthropicModelList() : OpenAIModelList());
        }

        if (path.StartsWith("/v1/messages/count_tokens", StringComparison.Ordinal))
        {
            return FakeResponses.WriteJsonAsync(context, """{"input_tokens":1234}""");
        }

        // The request id and rate-limit headers each provider sends, under its own names; Claude Code reads
        // them from a translated answer under Anthropic's.
        foreach (var (name, value) in format == "anthropic" ? s_anthropicHeaders : s_openAIHeaders)
        {
            context.Response.Headers[name] = value;
        }

        var body = JsonNode.Parse(request.Body)!;
        var model = (string)body["model"]!;
        var stream = body["stream"]?.GetValue<bool>() == true;
        var toolResult = format == "anthropic" ? AnthropicToolResult(body) : OpenAIToolResult(body);
        var callTool = bashCommand is not null && toolResult is null;
        var text = toolResult is null ? PlainAnswer : AnswerAfterTool(toolResult);

        // Like OpenAI, refuse more output than the model can write (Claude Code asks for 128,000).
        var maxTokens = (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>();
        if (format == "openai" && s_openAIOutputLimits.TryGetValue(model, out var limit) && maxTokens > limit)
        {
            return FakeResponses.WriteJsonAsync(
                context,
                JsonSerializer.Serialize(new { error = new { message = $"max_tokens is too large: {maxTokens}. This model supports at most {limit} completion tokens, whereas you provided {maxTokens}.", type = "invalid_request_error", param = "max_tokens", code = "invalid_value" } }),
                400);
        }

        if (format == "anthropic")
        {
            return stream
                ? FakeResponses.WriteEventsAsync(context, AnthropicEvents(model, callTool ? null : text))
                : FakeResponses.WriteJsonAsync(context, AnthropicMessage(model, callTool ? null : text));
        }

        return stream
            ? FakeResponses.WriteEventsAsync(context, OpenAIChunks(model, callTool ? null : text, body["stream_options"]?["include_usage"]?.GetValue<bool>() == true))
            : FakeResponses.WriteJsonAsync(context, OpenAICompletion(model, callTool ? null : text));
    }

    private string BashArguments => JsonSerializer.Serialize(new { command = bashCommand, description = "Print a marker" });

    /// <summary>The text of the <c>tool_result</c> in the last user message, if any.</summary>
    private static string? AnthropicToolResult(JsonNode body)
    {
        var last = body["messages"]!.AsArray()[^1]!;
        if (last["content"] is not JsonArray blocks)
        {
            return null;
        }

        var result = blocks.FirstOrDefault(b => (string?)b?["type"] == "tool_result");
        return result?["content"] switch
        {
            null => null,
            JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"])),
            var content => (string?)content,
        };
    }

    /// <summary>The content of the last <c>tool</c> message, if any.</summary>
    private static string? OpenAIToolResult(JsonNode body)
    {
        var tool = body["messages"]!.AsArray().LastOrDefault(m => (string?)m?["role"] == "tool");
        return tool?["content"] switch
        {
            null => null,
            JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"])),
            var content => (string?)content,
        };
    }

    private IEnumerable<string> AnthropicEvents(string model, string? text)
    {
        static string Event(string name, object data) => $"event: {name}\ndata: {JsonSerializer.Serialize(data)}\n\n";

        yield return Event("message_start", new
        {
            type = "message_start",
            message = new { id = "msg_inflight_acceptance", type = "message", role = "assistant", model, content = Array.Empty<object>(), stop_reason = (string?)null, stop_sequence = (string?)null, usage = new { input_tokens = 2_345, cache_creation_input_tokens = 0, cache_read_input_tokens = 0, output_tokens = 1 } },
        });
        if (text is null)
        {
            yield return Event("content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "tool_use", id = ToolCallId, name = "Bash", input = new { } } });
            yield return Event("ping", new { type = "ping" });
            var arguments = BashArguments;
            var half = arguments.Length / 2;
            yield return Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "input_json_delta", partial_json = arguments[..half] } });
            yield return Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "input_json_delta", partial_json = arguments[half..] } });
        }
        else
        {
            yield return Event("content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "text", text = "" } });
            yield return Event("ping", new { type = "ping" });
            var half = text.Length / 2;
            yield return Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = text[..half] } });
            yield return Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = text[half..] } });
        }

        yield return Event("content_block_stop", new { type = "content_block_stop", index = 0 });
        yield return Event("message_delta", new { type = "message_delta", delta = new { stop_reason = text is null ? "tool_use" : "end_turn", stop_sequence = (string?)null }, usage = new { output_tokens = 21 } });
        yield return Event("message_stop", new { type = "message_stop" });
    }

    private string AnthropicMessage(string model, string? text)
    {
        object block = text is null
            ? new { type = "tool_use", id = ToolCallId, name = "Bash", input = JsonNode.Parse(BashArguments) }
            : new { type = "text", text };
        return JsonSerializer.Serialize(new
        {
            id = "msg_inflight_acceptance",
            type = "message",
            role = "assistant",
            model,
            content = new[] { block },
            stop_reason = text is null ? "tool_use" : "end_turn",
            stop_sequence = (string?)null,
            usage = new { input_tokens = 2_345, output_tokens = 21 },
        });
    }

    private IEnumerable<string> OpenAIChunks(string model, string? text, bool includeUsage)
    {
        string Chunk(object delta, string? finishReason) => "data: " + JsonSerializer.Serialize(new
        {
            id = "chatcmpl-inflight-acceptance",
            @object = "chat.completion.chunk",
            created = 1_764_547_200,
            model,
            system_fingerprint = "fp_inflight",
            choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finishReason } },
            usage = (object?)null,
        }) + "\n\n";

        yield return Chunk(new { role = "assistant", content = "", refusal = (string?)null }, null);
        if (text is null)
        {
            var arguments = BashArguments;
            var half = arguments.Length / 2;
            yield return Chunk(new { tool_calls = new[] { new { index = 0, id = ToolCallId, type = "function", function = new { name = "Bash", arguments = "" } } } }, null);
            yield return Chunk(new { tool_calls = new[] { new { index = 0, function = new { arguments = arguments[..half] } } } }, null);
            yield return Chunk(new { tool_calls = new[] { new { index = 0, function = new { arguments = arguments[half..] } } } }, null);
            yield return Chunk(new { }, "tool_calls");
        }
        else
        {
            var half = text.Length / 2;
            yield return Chunk(new { content = text[..half] }, null);
            yield return Chunk(new { content = text[half..] }, null);
            yield return Chunk(new { }, "stop");
        }

        if (includeUsage)
        {
            yield return "data: " + JsonSerializer.Serialize(new
            {
                id = "chatcmpl-inflight-acceptance",
                @object = "chat.completion.chunk",
                created = 1_764_547_200,
                model,
                system_fingerprint = "fp_inflight",
                choices = Array.Empty<object>(),
                usage = new { prompt_tokens = 2_345, completion_tokens = 21, total_tokens = 2_366, prompt_tokens_details = new { cached_tokens = 0 }, completion_tokens_details = new { reasoning_tokens = 0 } },
            }) + "\n\n";
        }

        yield return "data: [DONE]\n\n";
    }

    private string OpenAICompletion(string model, string? text)
    {
        object message = text is null
            ? new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = ToolCallId, type = "function", function = new { name = "Bash", arguments = BashArguments } } } }
            : new { role = "assistant", content = text, refusal = (string?)null };
        return JsonSerializer.Serialize(new
        {
            id = "chatcmpl-inflight-acceptance",
            @object = "chat.completion",
            created = 1_764_547_200,
            model,
            choices = new[] { new { index = 0, message, logprobs = (object?)null, finish_reason = text is null ? "tool_calls" : "stop" } },
            usage = new { prompt_tokens = 2_345, completion_tokens = 21, total_tokens = 2_366 },
        });
    }

    private string AnthropicModelList() => JsonSerializer.Serialize(new
    {
        data = Models.Select(id => new { type = "model", id, display_name = id, created_at = "2025-09-29T00:00:00Z" }),
        has_more = false,
        first_id = Models[0],
        last_id = Models[^1],
    });

    private string OpenAIModelList() => JsonSerializer.Serialize(new
    {
        @object = "list",
        data = Models.Select(id => new { id, @object = "model", created = 1_744_316_542, owned_by = "system" }),
    });
}
