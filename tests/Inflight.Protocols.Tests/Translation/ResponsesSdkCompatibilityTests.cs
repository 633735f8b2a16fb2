using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using Inflight.Protocols.Translation;
using OpenAI.Responses;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

// The SDK marks its Responses client as evaluation-only; these tests exist to track exactly that surface.
#pragma warning disable OPENAI001

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The official OpenAI .NET SDK's Responses client reads what the translators write: the SDK's own HTTP
/// pipeline, SSE parser and models, with a handler answering in place of the network.
/// </summary>
public sealed class ResponsesSdkCompatibilityTests
{
    private const string ChatStream = """
        data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Weather needed."},"finish_reason":null}]}

        data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"Checking."},"finish_reason":null}]}

        data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"exec_command","arguments":"{\"cmd\":"}}]},"finish_reason":null}]}

        data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"echo hi\"}"}}]},"finish_reason":null}]}

        data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

        data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":20,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":30},"completion_tokens_details":{"reasoning_tokens":4}}}

        data: [DONE]


        """;

    private const string AnthropicStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":90,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Run it."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"exec_command","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"cmd\":\"echo hi\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    [Fact]
    public async Task Streaming_ChatTranslation_IsReadByTheSdk()
    {
        var body = RunStream((c, w) => new OpenAIToResponsesStreamTranslator(c, w), Context("gpt-4.1"), [Utf8(ChatStream)]);

        var updates = await StreamAsync(body);

        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.IsType<StreamingResponseInProgressUpdate>(updates[1]);
        Assert.Equal("Weather needed.", string.Concat(updates.OfType<StreamingResponseReasoningSummaryTextDeltaUpdate>().Select(u => u.Delta)));
        Assert.Equal("Checking.", string.Concat(updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(u => u.Delta)));
        var argsDone = Assert.Single(updates.OfType<StreamingResponseFunctionCallArgumentsDoneUpdate>());
        Assert.Equal("exec_command", argsDone.FunctionName);
        Assert.Equal("{\"cmd\":\"echo hi\"}", argsDone.FunctionArguments.ToString());

        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]).Response;
        Assert.Equal(ResponseStatus.Completed, completed.Status);
        Assert.Equal("Checking.", completed.GetOutputText());
        var call = Assert.IsType<FunctionCallResponseItem>(completed.OutputItems[2]);
        Assert.Equal("call_A", call.CallId);
        Assert.Equal("exec_command", call.FunctionName);
        Assert.Equal("{\"cmd\":\"echo hi\"}", call.FunctionArguments.ToString());
        Assert.Equal("Weather needed.", Assert.IsType<ReasoningResponseItem>(completed.OutputItems[0]).GetSummaryText());
        Assert.Equal(50, completed.Usage.InputTokenCount);
        Assert.Equal(30, completed.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(20, completed.Usage.OutputTokenCount);
        Assert.Equal(4, completed.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal(70, completed.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Streaming_AnthropicTranslation_IsReadByTheSdkWithTheThinkingEnvelope()
    {
        var body = RunStream((c, w) => new AnthropicToResponsesStreamTranslator(c, w), Context("claude-sonnet-4-5"), [Utf8(AnthropicStream)]);

        var updates = await StreamAsync(body);

        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]).Response;
        var reasoning = Assert.IsType<ReasoningResponseItem>(completed.OutputItems[0]);
        Assert.Equal("Run it.", reasoning.GetSummaryText());
        Assert.True(ThinkingEnvelope.TryDecode(reasoning.EncryptedContent, out var block));
        Assert.Equal(("Run it.", "sig"), (block.Thinking, block.Signature));
        var call = Assert.IsType<FunctionCallResponseItem>(completed.OutputItems[1]);
        Assert.Equal(("toolu_1", "exec_command", "{\"cmd\":\"echo hi\"}"), (call.CallId, call.FunctionName, call.FunctionArguments.ToString()));
        Assert.Equal((100, 90, 15), (completed.Usage.InputTokenCount, completed.Usage.InputTokenDetails.CachedTokenCount, completed.Usage.OutputTokenCount));
        var added = updates.OfType<StreamingResponseOutputItemAddedUpdate>().Select(u => u.OutputIndex);
        Assert.Equal([0, 1], added);
    }

    [Fact]
    public async Task Streaming_MaxTokens_IsAnIncompleteUpdateTheSdkReads()
    {
        var upstream = AnthropicStream.Replace("\"stop_reason\":\"tool_use\"", "\"stop_reason\":\"max_tokens\"", StringComparison.Ordinal);
        var body = RunStream((c, w) => new AnthropicToResponsesStreamTranslator(c, w), Context("claude-sonnet-4-5"), [Utf8(upstream)]);

        var updates = await StreamAsync(body);

        var response = Assert.IsType<StreamingResponseIncompleteUpdate>(updates[^1]).Response;
        Assert.Equal(ResponseStatus.Incomplete, response.Status);
        Assert.Equal(ResponseIncompleteStatusReason.MaxOutputTokens, response.IncompleteStatusDetails.Reason);
    }

    [Fact]
    public async Task Streaming_UpstreamError_IsAFailedUpdateWithTheErrorCode()
    {
        var upstream = ChatStream[..ChatStream.IndexOf("data: {\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{},", StringComparison.Ordinal)] +
            "data: {\"error\":{\"message\":\"Rate limited\",\"type\":\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}\n\n";
        var body = RunStream((c, w) => new OpenAIToResponsesStreamTranslator(c, w), Context("gpt-4.1"), [Utf8(upstream)]);

        var updates = await StreamAsync(body);

        var response = Assert.IsType<StreamingResponseFailedUpdate>(updates[^1]).Response;
        Assert.Equal(ResponseStatus.Failed, response.Status);
        Assert.Equal(ResponseErrorCode.RateLimitExceeded, response.Error.Code);
        Assert.Equal("Rate limited", response.Error.Message);
    }

    [Fact]
    public async Task Streaming_CustomToolCall_IsReadByTheSdk()
    {
        var ctx = Context("gpt-4.1");
        ctx.ToolNamesForClient = new() { ["apply_patch"] = new ClientToolName("apply_patch", null) { Kind = ClientToolKind.Custom } };
        var upstream = """
            data: {"id":"chatcmpl-c","model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_P","type":"function","function":{"name":"apply_patch","arguments":"{\"input\":\"*** Begin Patch\"}"}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-c","model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]


            """;
        var body = RunStream((c, w) => new OpenAIToResponsesStreamTranslator(c, w), ctx, [Utf8(upstream)]);

        var updates = await StreamAsync(body);

        Assert.Equal("*** Begin Patch", Assert.Single(updates.OfType<StreamingResponseCustomToolCallInputDoneUpdate>()).Input);
        Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]);
    }

    [Fact]
    public async Task NonStreaming_ChatTranslation_IsReadByTheSdk()
    {
        var completion = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Running it.",
              "tool_calls":[{"id":"call_1","type":"function","function":{"name":"exec_command","arguments":"{\"cmd\":\"echo hi\"}"}}]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}
            """;
        var body = OpenAIToResponsesResponse.Translate(Utf8(completion), Context("gpt-4.1"));

        var response = await CreateAsync(body);

        Assert.Equal("resp_1", response.Id);
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Now), response.CreatedAt);
        Assert.Equal("Running it.", response.GetOutputText());
        var call = Assert.IsType<FunctionCallResponseItem>(response.OutputItems[1]);
        Assert.Equal(("call_1", "exec_command"), (call.CallId, call.FunctionName));
        Assert.Equal((12, 8, 20), (response.Usage.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.TotalTokenCount));
    }

    [Fact]
    public async Task NonStreaming_AnthropicTranslation_IsReadByTheSdk()
    {
        var message = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"thinking","thinking":"Hmm.","signature":"s"},{"type":"text","text":"Hello."}],
             "stop_reason":"end_turn","usage":{"input_tokens":3,"cache_creation_input_tokens":7,"output_tokens":2}}
            """;
        var body = AnthropicToResponsesResponse.Translate(Utf8(message), Context("claude-sonnet-4-5"));

        var response = await CreateAsync(body);

        Assert.Equal("Hello.", response.GetOutputText());
        Assert.Equal("Hmm.", Assert.IsType<ReasoningResponseItem>(response.OutputItems[0]).GetSummaryText());
        Assert.Equal((10, 7), (response.Usage.InputTokenCount, response.Usage.InputTokenDetails.CacheWriteTokenCount));
    }

    private static async Task<List<StreamingResponseUpdate>> StreamAsync(string sse)
    {
        var client = Client(Utf8(sse), "text/event-stream");
        var updates = new List<StreamingResponseUpdate>();
        var request = new CreateResponseOptions("gpt-4.1", [ResponseItem.CreateUserMessageItem("hi")]) { StreamingEnabled = true };
        await foreach (var update in await client.CreateResponseStreamingAsync(request, TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    private static async Task<ResponseResult> CreateAsync(byte[] body)
    {
        var client = Client(body, "application/json");
        return (await client.CreateResponseAsync(new CreateResponseOptions("gpt-4.1", [ResponseItem.CreateUserMessageItem("hi")]), TestContext.Current.CancellationToken)).Value;
    }

    private static ResponsesClient Client(byte[] body, string contentType)
    {
        var options = new ResponsesClientOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9/v1"),
            Transport = new HttpClientPipelineTransport(new HttpClient(new CannedHandler(body, contentType))),
            RetryPolicy = new ClientRetryPolicy(0),
        };
        return new ResponsesClient(new ApiKeyCredential("test-key"), options);
    }

    /// <summary>Answers every request with the given body; nothing leaves the process.</summary>
    private sealed class CannedHandler(byte[] body, string contentType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
