using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Testing;
using Microsoft.AspNetCore.Http;

namespace Inflight.Tests.Infrastructure;

/// <summary>
/// A fake provider, in one of the three wire formats, that plays the model's side of one tool round trip
/// as Codex makes it: a request without a tool result is answered with a call of Codex's
/// <c>exec_command</c> tool (<c>{"cmd": <see cref="Command"/>}</c>); the request that carries the tool's
/// output back is answered with <see cref="FinalAnswer"/>. Streamed when the request asks for a stream,
/// one JSON body otherwise. With <paramref name="holdFirstStream"/>, the first stream is held after its
/// opening event until the test calls <see cref="Release"/>, so the test can watch the request in flight.
/// </summary>
internal sealed class ToolRoundTripProvider(string format, bool holdFirstStream = false)
{
    public const string Marker = "inflight-codex-ok";

    public const string Command = "echo " + Marker;

    public const string FinalAnswer = "The command printed " + Marker + ".";

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first stream has started and is being held.</summary>
    public Task Holding => _holding.Task;

    /// <summary>Lets the held stream go on.</summary>
    public void Release() => _release.TrySetResult();

    public async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var body = JsonNode.Parse(request.Body)!;
        var toolOutputSent = ToolResultOf(format, body) is not null;
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await FakeResponses.WriteJsonAsync(context, toolOutputSent ? AnswerBody(format) : ToolCallBody(format));
            return;
        }

        var events = toolOutputSent ? AnswerEvents(format) : ToolCallEvents(format);
        await FakeResponses.WriteEventsAsync(context, events, async index =>
        {
            if (holdFirstStream && !toolOutputSent && index == 1)
            {
                _holding.TrySetResult();
                await _release.Task.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted);
            }
        });
    }

    /// <summary>The tool result the request carries back, in the provider's format, or null.</summary>
    public static string? ToolResultOf(string format, JsonNode body)
    {
        switch (format)
        {
            case "responses":
                foreach (var item in body["input"]!.AsArray())
                {
                    if (item?["type"]?.GetValue<string>() == "function_call_output")
                    {
                        return TextOf(item["output"]);
                    }
                }

                return null;
            case "openai":
                foreach (var message in body["messages"]!.AsArray())
                {
                    if (message?["role"]?.GetValue<string>() == "tool")
                    {
                        return TextOf(message["content"]);
                    }
                }

                return null;
            default:
                foreach (var message in body["messages"]!.AsArray())
                {
                    if (message?["content"] is JsonArray blocks)
                    {
                        foreach (var block in blocks)
                        {
                            if (block?["type"]?.GetValue<string>() == "tool_result")
                            {
                                return TextOf(block["content"]);
                            }
                        }
                    }
                }

                return null;
        }
    }

    /// <summary>A string's text, or the JSON of anything else (content blocks).</summary>
    private static string TextOf(JsonNode? node)
        => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "";

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static string ResponsesEvent(string type, int sequence, object fields)
    {
        var node = JsonSerializer.SerializeToNode(fields)!.AsObject();
        node.Insert(0, "type", type);
        node.Insert(1, "sequence_number", sequence);
        return $"event: {type}\ndata: {node.ToJsonString()}\n\n";
    }

    private static object ResponseObject(string id, string status, object[] output) => new
    {
        id,
        @object = "response",
        created_at = 1764547200,
        status,
        model = "gpt-5.1-codex",
        output,
        usage = status == "completed" ? new { input_tokens = 900, input_tokens_details = new { cached_tokens = 0 }, output_tokens = 20, output_tokens_details = new { reasoning_tokens = 0 }, total_tokens = 920 } : null,
    };

    private static string ToolCallBody(string format)
    {
        var arguments = Json(new { cmd = Command });
        return format switch
        {
            "responses" => Json(ResponseObject("resp_1", "completed", [new { id = "fc_1", type = "function_call", status = "completed", call_id = "call_1", name = "exec_command", arguments }])),
            "openai" => Json(new
            {
                id = "chatcmpl-1",
                @object = "chat.completion",
                created = 1764547200,
                model = "gpt-5.1-codex",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = "exec_command", arguments } } } }, finish_reason = "tool_calls" } },
                usage = new { prompt_tokens = 900, completion_tokens = 20, total_tokens = 920 },
            }),
            _ => Json(new
            {
                id = "msg_1",
                type = "message",
                role = "assistant",
                model = "claude-sonnet-4-5",
                content = new[] { new { type = "tool_use", id = "toolu_1", name = "exec_command", input = new { cmd = Command } } },
                stop_reason = "tool_use",
                stop_sequence = (string?)null,
                usage = new { input_tokens = 900, output_tokens = 20 },
            }),
        };
    }

    private static string AnswerBody(string format) => format switch
    {
        "responses" => Json(ResponseObject("resp_2", "completed", [new { id = "msg_2", type = "message", status = "completed", role = "assistant", content = new[] { new { type = "output_text", text = FinalAnswer, annotations = Array.Empty<object>() } } }])),
        "openai" => Json(new
        {
            id = "chatcmpl-2",
            @object = "chat.completion",
            created = 1764547200,
            model = "gpt-5.1-codex",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = FinalAnswer }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 950, completion_tokens = 10, total_tokens = 960 },
        }),
        _ => Json(new
        {
            id = "msg_2",
            type = "message",
            role = "assistant",
            model = "claude-sonnet-4-5",
            content = new[] { new { type = "text", text = FinalAnswer } },
            stop_reason = "end_turn",
            stop_sequence = (string?)null,
            usage = new { input_tokens = 950, output_tokens = 10 },
        }),
    };

    private static List<string> ToolCallEvents(string format) => format switch
    {
        "responses" => ResponsesToolCall(),
        "openai" => ChatToolCall(),
        _ => AnthropicToolCall(),
    };

    private static List<string> AnswerEvents(string format) => format switch
    {
        "responses" => ResponsesAnswer(),
        "openai" => ChatAnswer(),
        _ => AnthropicAnswer(),
    };

    private static List<string> ResponsesToolCall()
    {
        var arguments = Json(new { cmd = Command });
        var call = new { id = "fc_1", type = "function_call", status = "completed", call_id = "call_1", name = "exec_command", arguments };
        return
        [
            ResponsesEvent("response.created", 0, new { response = ResponseObject("resp_1", "in_progress", []) }),
            ResponsesEvent("response.output_item.added", 1, new { output_index = 0, item = new { id = "fc_1", type = "function_call", status = "in_progress", call_id = "call_1", name = "exec_command", arguments = "" } }),
            ResponsesEvent("response.function_call_arguments.delta", 2, new { item_id = "fc_1", output_index = 0, delta = arguments[..8] }),
            ResponsesEvent("response.function_call_arguments.delta", 3, new { item_id = "fc_1", output_index = 0, delta = arguments[8..] }),
            ResponsesEvent("response.function_call_arguments.done", 4, new { item_id = "fc_1", output_index = 0, arguments }),
            ResponsesEvent("response.output_item.done", 5, new { output_index = 0, item = call }),
            ResponsesEvent("response.completed", 6, new { response = ResponseObject("resp_1", "completed", [call]) }),
        ];
    }

    private static List<string> ResponsesAnswer()
    {
        var message = new { id = "msg_2", type = "message", status = "completed", role = "assistant", content = new[] { new { type = "output_text", text = FinalAnswer, annotations = Array.Empty<object>() } } };
        return
        [
            ResponsesEvent("response.created", 0, new { response = ResponseObject("resp_2", "in_progress", []) }),
            ResponsesEvent("response.output_item.added", 1, new { output_index = 0, item = new { id = "msg_2", type = "message", status = "in_progress", role = "assistant", content = Array.Empty<object>() } }),
            ResponsesEvent("response.content_part.added", 2, new { item_id = "msg_2", output_index = 0, content_index = 0, part = new { type = "output_text", text = "", annotations = Array.Empty<object>() } }),
            ResponsesEvent("response.output_text.delta", 3, new { item_id = "msg_2", output_index = 0, content_index = 0, delta = FinalAnswer }),
            ResponsesEvent("response.output_text.done", 4, new { item_id = "msg_2", output_index = 0, content_index = 0, text = FinalAnswer }),
            ResponsesEvent("response.content_part.done", 5, new { item_id = "msg_2", output_index = 0, content_index = 0, part = new { type = "output_text", text = FinalAnswer, annotations = Array.Empty<object>() } }),
            ResponsesEvent("response.output_item.done", 6, new { output_index = 0, item = message }),
            ResponsesEvent("response.completed", 7, new { response = ResponseObject("resp_2", "completed", [message]) }),
        ];
    }

    private static string ChatChunk(object delta, string? finishReason = null, object? usage = null)
        => "data: " + Json(new { id = "chatcmpl-1", @object = "chat.completion.chunk", created = 1764547200, model = "gpt-5.1-codex", choices = new[] { new { index = 0, delta, finish_reason = finishReason } }, usage }) + "\n\n";

    private static List<string> ChatToolCall()
    {
        var arguments = Json(new { cmd = Command });
        return
        [
            ChatChunk(new { role = "assistant", content = (string?)null }),
            ChatChunk(new { tool_calls = new[] { new { index = 0, id = "call_1", type = "function", function = new { name = "exec_command", arguments = arguments[..8] } } } }),
            ChatChunk(new { tool_calls = new[] { new { index = 0, function = new { arguments = arguments[8..] } } } }),
            ChatChunk(new { }, "tool_calls"),
            "data: " + Json(new { id = "chatcmpl-1", @object = "chat.completion.chunk", created = 1764547200, model = "gpt-5.1-codex", choices = Array.Empty<object>(), usage = new { prompt_tokens = 900, completion_tokens = 20, total_tokens = 920 } }) + "\n\n",
            "data: [DONE]\n\n",
        ];
    }

    private static List<string> ChatAnswer() =>
    [
        ChatChunk(new { role = "assistant", content = "" }),
        ChatChunk(new { content = FinalAnswer }),
        ChatChunk(new { }, "stop"),
        "data: " + Json(new { id = "chatcmpl-2", @object = "chat.completion.chunk", created = 1764547200, model = "gpt-5.1-codex", choices = Array.Empty<object>(), usage = new { prompt_tokens = 950, completion_tokens = 10, total_tokens = 960 } }) + "\n\n",
        "data: [DONE]\n\n",
    ];

    private static string AnthropicEvent(string type, object data)
    {
        var node = JsonSerializer.SerializeToNode(data)!.AsObject();
        node.Insert(0, "type", type);
        return $"event: {type}\ndata: {node.ToJsonString()}\n\n";
    }

    private static string AnthropicStart(string id, int inputTokens) => AnthropicEvent("message_start", new
    {
        message = new { id, type = "message", role = "assistant", model = "claude-sonnet-4-5", content = Array.Empty<object>(), stop_reason = (string?)null, stop_sequence = (string?)null, usage = new { input_tokens = inputTokens, output_tokens = 1 } },
    });

    private static List<string> AnthropicToolCall()
    {
        var arguments = Json(new { cmd = Command });
        return
        [
            AnthropicStart("msg_1", 900),
            AnthropicEvent("content_block_start", new { index = 0, content_block = new { type = "tool_use", id = "toolu_1", name = "exec_command", input = new { } } }),
            AnthropicEvent("content_block_delta", new { index = 0, delta = new { type = "input_json_delta", partial_json = arguments[..8] } }),
            AnthropicEvent("content_block_delta", new { index = 0, delta = new { type = "input_json_delta", partial_json = arguments[8..] } }),
            AnthropicEvent("content_block_stop", new { index = 0 }),
            AnthropicEvent("message_delta", new { delta = new { stop_reason = "tool_use", stop_sequence = (string?)null }, usage = new { output_tokens = 20 } }),
            AnthropicEvent("message_stop", new { }),
        ];
    }

    private static List<string> AnthropicAnswer() =>
    [
        AnthropicStart("msg_2", 950),
        AnthropicEvent("content_block_start", new { index = 0, content_block = new { type = "text", text = "" } }),
        AnthropicEvent("content_block_delta", new { index = 0, delta = new { type = "text_delta", text = FinalAnswer } }),
        AnthropicEvent("content_block_stop", new { index = 0 }),
        AnthropicEvent("message_delta", new { delta = new { stop_reason = "end_turn", stop_sequence = (string?)null }, usage = new { output_tokens = 10 } }),
        AnthropicEvent("message_stop", new { }),
    ];
}
