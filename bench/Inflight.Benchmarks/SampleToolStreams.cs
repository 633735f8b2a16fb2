namespace Inflight.Benchmarks;

/// <summary>
/// A realistic 20-event agent turn from each provider format: a few words of text, then one tool call
/// whose arguments arrive in fragments, then the stop reason and usage. What a Claude Code or Codex turn
/// that calls a tool looks like on the wire (the text and argument fragments as the real APIs cut them).
/// </summary>
internal static class SampleToolStreams
{
    public const int Events = 20;

    private static readonly string[] s_text = ["I'll", " look at", " the failing", " test", " first", ".\\n\\n", "Running", " it", " now:"];

    private static readonly string[] s_arguments = ["{\\\"command\\\":", " \\\"dotnet", " test --project", " tests/App.Tests", " --filter Parser\\\",", " \\\"timeout\\\": 120000}"];

    public static string[] OpenAI()
    {
        const string Head = "data: {\"id\":\"chatcmpl-CVHq4x8Wnkq2yGdZ1fNVo6kLaYxRv\",\"object\":\"chat.completion.chunk\",\"created\":1764547200,\"model\":\"gpt-4.1-2025-04-14\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[";
        const string Tail = ",\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n";
        var list = new List<string> { Head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}" + Tail };
        list.AddRange(s_text.Select(t => Head + "{\"index\":0,\"delta\":{\"content\":\"" + t + "\"}" + Tail));
        list.Add(Head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_Qy2cMZ1nV0wTLg8pXf3e6RaB\",\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"arguments\":\"\"}}]}" + Tail);
        list.AddRange(s_arguments.Select(a => Head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"" + a + "\"}}]}" + Tail));
        list.Add(Head + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":null}\n\n");
        list.Add(Head + "],\"usage\":{\"prompt_tokens\":17647,\"completion_tokens\":61,\"total_tokens\":17708,\"prompt_tokens_details\":{\"cached_tokens\":17536,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
        list.Add("data: [DONE]\n\n");
        return Check([.. list]);
    }

    public static string[] Anthropic()
    {
        var list = new List<string>
        {
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5-20250929\",\"id\":\"msg_01Kx7fQm3VbN2cWjR8tYpL4d\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":120,\"cache_read_input_tokens\":17524,\"cache_creation\":{\"ephemeral_5m_input_tokens\":120,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        };
        list.AddRange(s_text.Take(6).Select(t => "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + t + "\"}}\n\n"));
        list.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        list.Add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01D7FLrfh4GYq7yT1ULFeyMV\",\"name\":\"Bash\",\"input\":{}}}\n\n");
        list.Add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n");
        list.AddRange(s_arguments.Select(a => "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"" + a + "\"}}\n\n"));
        list.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n");
        list.Add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":120,\"cache_read_input_tokens\":17524,\"output_tokens\":61}}\n\n");
        list.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return Check([.. list]);
    }

    private static string[] Check(string[] events)
        => events.Length == Events ? events : throw new InvalidOperationException($"The sample stream has {events.Length} events, not {Events}.");
}
