namespace Inflight.Benchmarks;

/// <summary>Provider streams of a given number of events, shaped like the real APIs' (one string per event).</summary>
internal static class SampleStreams
{
    public static string[] Anthropic(int events)
    {
        var list = new List<string>
        {
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        };
        for (var i = list.Count; i < events - 3; i++)
        {
            list.Add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" token" + i + " of the answer\"}}\n\n");
        }

        list.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        list.Add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + events + "}}\n\n");
        list.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return [.. list];
    }

    public static string[] OpenAI(int events)
    {
        const string Head = "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[";
        var list = new List<string>
        {
            Head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
        };
        for (var i = list.Count; i < events - 3; i++)
        {
            list.Add(Head + "{\"index\":0,\"delta\":{\"content\":\" token" + i + " of the answer\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        list.Add(Head + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        list.Add(Head + "],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":" + events + ",\"total_tokens\":29,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n");
        list.Add("data: [DONE]\n\n");
        return [.. list];
    }

    /// <summary>A Responses stream: created, one message whose text arrives in deltas, completed with usage.</summary>
    public static string[] Responses(int events)
    {
        const string Head = "\"id\":\"resp_68af4030592c81938ec0a5fbab4a3e9f\",\"object\":\"response\",\"created_at\":1756315696,\"model\":\"gpt-5.1-codex\",\"parallel_tool_calls\":true,\"store\":false,\"tools\":[]";
        var list = new List<string>
        {
            "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{" + Head + ",\"status\":\"in_progress\",\"output\":[],\"usage\":null}}\n\n",
            "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}\n\n",
        };
        for (var i = list.Count; i < events - 2; i++)
        {
            list.Add("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":" + i + ",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\" token" + i + " of the answer\",\"logprobs\":[]}\n\n");
        }

        list.Add("event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"sequence_number\":" + (events - 2) + ",\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"the answer\",\"annotations\":[]}]}}\n\n");
        list.Add("event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":" + (events - 1) + ",\"response\":{" + Head + ",\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":19,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":" + events + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":29}}}\n\n");
        return [.. list];
    }
}
