namespace Inflight.Testing;

/// <summary>
/// OpenAI Responses API exchanges in the shapes the API reference documents ("The response object",
/// "Streaming events"): a request with a function tool and a prior tool round trip, the non-streamed
/// answer, and a stream that says a few words and then calls a function.
/// </summary>
public static class ResponsesRecordings
{
    public const string Request = """{"model":"gpt-5.1-codex","instructions":"You are terse.","input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"Prefer shell commands."}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"List the files."}]},{"type":"function_call","call_id":"call_0","name":"exec_command","arguments":"{\"cmd\":\"pwd\"}"},{"type":"function_call_output","call_id":"call_0","output":"/work"}],"tools":[{"type":"function","name":"exec_command","description":"Runs a command.","strict":false,"parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}}],"tool_choice":"auto","parallel_tool_calls":true,"store":false,"include":["reasoning.encrypted_content"],"prompt_cache_key":"session-1"}""";

    public const string Response = """{"id":"resp_1","object":"response","created_at":1764547200,"status":"completed","error":null,"incomplete_details":null,"instructions":"You are terse.","max_output_tokens":null,"model":"gpt-5.1-codex-2025-11-13","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Listing them now.","annotations":[]}]},{"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","name":"exec_command","arguments":"{\"cmd\":\"ls\"}"}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":120,"input_tokens_details":{"cached_tokens":100},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":12},"total_tokens":150},"user":null,"metadata":{}}""";

    private const string ResponseHead = "\"id\":\"resp_2\",\"object\":\"response\",\"created_at\":1764547200,\"model\":\"gpt-5.1-codex-2025-11-13\",\"output\":[],\"parallel_tool_calls\":true,\"store\":false,\"tools\":[]";

    /// <summary>One string per SSE event, in order; index 4 is the first text delta.</summary>
    public static readonly string[] StreamEvents =
    [
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{" + ResponseHead + ",\"status\":\"in_progress\",\"usage\":null}}\n\n",
        "event: response.in_progress\ndata: {\"type\":\"response.in_progress\",\"sequence_number\":1,\"response\":{" + ResponseHead + ",\"status\":\"in_progress\",\"usage\":null}}\n\n",
        "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,\"item\":{\"id\":\"msg_2\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}\n\n",
        "event: response.content_part.added\ndata: {\"type\":\"response.content_part.added\",\"sequence_number\":3,\"item_id\":\"msg_2\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"item_id\":\"msg_2\",\"output_index\":0,\"content_index\":0,\"delta\":\"Running the command \",\"logprobs\":[]}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":5,\"item_id\":\"msg_2\",\"output_index\":0,\"content_index\":0,\"delta\":\"you asked for.\",\"logprobs\":[]}\n\n",
        "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"sequence_number\":6,\"item_id\":\"msg_2\",\"output_index\":0,\"content_index\":0,\"text\":\"Running the command you asked for.\",\"logprobs\":[]}\n\n",
        "event: response.content_part.done\ndata: {\"type\":\"response.content_part.done\",\"sequence_number\":7,\"item_id\":\"msg_2\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"Running the command you asked for.\",\"annotations\":[]}}\n\n",
        "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"sequence_number\":8,\"output_index\":0,\"item\":{\"id\":\"msg_2\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Running the command you asked for.\",\"annotations\":[]}]}}\n\n",
        "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":9,\"output_index\":1,\"item\":{\"id\":\"fc_2\",\"type\":\"function_call\",\"status\":\"in_progress\",\"call_id\":\"call_2\",\"name\":\"exec_command\",\"arguments\":\"\"}}\n\n",
        "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"sequence_number\":10,\"item_id\":\"fc_2\",\"output_index\":1,\"delta\":\"{\\\"cmd\\\":\"}\n\n",
        "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"sequence_number\":11,\"item_id\":\"fc_2\",\"output_index\":1,\"delta\":\"\\\"ls -la\\\"}\"}\n\n",
        "event: response.function_call_arguments.done\ndata: {\"type\":\"response.function_call_arguments.done\",\"sequence_number\":12,\"item_id\":\"fc_2\",\"output_index\":1,\"arguments\":\"{\\\"cmd\\\":\\\"ls -la\\\"}\"}\n\n",
        "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"sequence_number\":13,\"output_index\":1,\"item\":{\"id\":\"fc_2\",\"type\":\"function_call\",\"status\":\"completed\",\"call_id\":\"call_2\",\"name\":\"exec_command\",\"arguments\":\"{\\\"cmd\\\":\\\"ls -la\\\"}\"}}\n\n",
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":14,\"response\":{" + ResponseHead.Replace("\"output\":[]", "\"output\":[{\"id\":\"msg_2\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Running the command you asked for.\",\"annotations\":[]}]},{\"id\":\"fc_2\",\"type\":\"function_call\",\"status\":\"completed\",\"call_id\":\"call_2\",\"name\":\"exec_command\",\"arguments\":\"{\\\"cmd\\\":\\\"ls -la\\\"}\"}]", StringComparison.Ordinal) + ",\"status\":\"completed\",\"usage\":{\"input_tokens\":250,\"input_tokens_details\":{\"cached_tokens\":200},\"output_tokens\":40,\"output_tokens_details\":{\"reasoning_tokens\":16},\"total_tokens\":290}}}\n\n",
    ];
}
