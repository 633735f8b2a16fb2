using System.Text;

namespace Inflight.Protocols.Tests.Accounting;

/// <summary>
/// Provider streams shaped as the providers' published references show them (Anthropic "Streaming
/// Messages"; OpenAI "The chat completion chunk object" and <c>stream_options.include_usage</c>).
/// </summary>
internal static class RecordedStreams
{
    /// <summary>Anthropic: a plain text answer (the reference's basic example).</summary>
    public const string AnthropicText = """
        event: message_start
        data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-6", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

        event: content_block_start
        data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

        event: content_block_stop
        data: {"type": "content_block_stop", "index": 0}

        event: message_delta
        data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

        event: message_stop
        data: {"type": "message_stop"}


        """;

    /// <summary>
    /// Anthropic: cached prompt, thinking, text, then two parallel tool_use blocks; the final
    /// message_delta repeats cumulative usage as newer API versions do.
    /// </summary>
    public const string AnthropicTools = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":2,"service_tier":"standard"},"content":[],"stop_reason":null}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the weather in two cities; I can ask for both at once."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Okay, let's check the weather for San Francisco and Tōkyō (東京):"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: ping
        data: {"type": "ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":" \"San Francisco, CA\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: content_block_start
        data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_01HkUo1FqY3oQ6X8bhjfE7dK","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"Tokyo\", \"unit\": \"celsius\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":3}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    /// <summary>OpenAI: a text answer with <c>include_usage</c>: "usage":null on every chunk, then the usage-only chunk.</summary>
    public const string OpenAIText = """
        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":"The"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":" image shows a wooden boardwalk\nextending through"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":" a lush green marshland."},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """;

    /// <summary>The usage-only event of <see cref="OpenAIText"/>, as the filter must remove it.</summary>
    public const string OpenAITextUsageEvent = """
        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}


        """;

    /// <summary>OpenAI: two parallel tool calls whose arguments arrive in fragments, then usage, then [DONE].</summary>
    public const string OpenAITools = """
        data: {"id":"chatcmpl-BUz3xQ","object":"chat.completion.chunk","created":1746811957,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BUz3xQ","object":"chat.completion.chunk","created":1746811957,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"lo"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BUz3xQ","object":"chat.completion.chunk","created":1746811957,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"cation\": \"Paris, France\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BUz3xQ","object":"chat.completion.chunk","created":1746811957,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_ZLR8J2MWqSQ1dmPPC6ZqM0wA","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BUz3xQ","object":"chat.completion.chunk","created":1746811957,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"location\": \"Bogot\u00e1, Colombia\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BUz3xQ","object":"chat.completion.chunk","created":1746811957,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"chatcmpl-BUz3xQ","object":"chat.completion.chunk","created":1746811957,"model":"gpt-4.1-2025-04-14","choices":[],"usage":{"prompt_tokens":90,"completion_tokens":51,"total_tokens":141,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """;

    /// <summary>OpenRouter style: reasoning deltas, usage on the last chunk that still has a choice, keep-alive comments.</summary>
    public const string OpenRouterReasoning = """
        : OPENROUTER PROCESSING

        data: {"id":"gen-1751994453-kBLCJhmtwsb4VV3SJnGJ","provider":"DeepInfra","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","created":1751994453,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"Okay, the user asks"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

        data: {"id":"gen-1751994453-kBLCJhmtwsb4VV3SJnGJ","provider":"DeepInfra","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","created":1751994453,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":" for a haiku."},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

        data: {"id":"gen-1751994453-kBLCJhmtwsb4VV3SJnGJ","provider":"DeepInfra","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","created":1751994453,"choices":[{"index":0,"delta":{"role":"assistant","content":"Autumn moonlight—\na worm digs silently\ninto the chestnut."},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

        data: {"id":"gen-1751994453-kBLCJhmtwsb4VV3SJnGJ","provider":"DeepInfra","model":"deepseek/deepseek-r1","object":"chat.completion.chunk","created":1751994453,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop","native_finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":12,"completion_tokens":96,"total_tokens":108,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":80}}}

        data: [DONE]


        """;

    /// <summary>UTF-8 bytes of a stream, with LF line ends whatever the checkout did to this file.</summary>
    public static byte[] Bytes(string stream) => Encoding.UTF8.GetBytes(stream.ReplaceLineEndings("\n"));
}
