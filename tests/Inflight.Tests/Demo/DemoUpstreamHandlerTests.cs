using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tests.Demo;

public sealed class DemoUpstreamHandlerTests
{
    private const string AnthropicTools = """
        "tools": [{"name": "read_file", "description": "Read a file", "input_schema": {"type": "object", "properties": {"path": {"type": "string"}, "max_lines": {"type": "integer"}}, "required": ["path"]}}]
        """;

    private const string OpenAITools = """
        "tools": [{"type": "function", "function": {"name": "read_file", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}}]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostMessages_NonStreaming_ReturnsAnthropicMessageWithUsage()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(DemoClient.Anthropic("""{"model": "claude-demo", "max_tokens": 1024, "messages": [{"role": "user", "content": "Hello"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = body.RootElement;
        Assert.StartsWith("msg_", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("message", root.GetProperty("type").GetString());
        Assert.Equal("assistant", root.GetProperty("role").GetString());
        Assert.Equal("claude-demo", root.GetProperty("model").GetString());
        Assert.Equal("end_turn", root.GetProperty("stop_reason").GetString());
        var text = Assert.Single(root.GetProperty("content").EnumerateArray());
        Assert.Equal("text", text.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(text.GetProperty("text").GetString()));
        var usage = root.GetProperty("usage");
        Assert.True(usage.GetProperty("input_tokens").GetInt32() > 0);
        Assert.True(usage.GetProperty("output_tokens").GetInt32() > 0);
        Assert.True(usage.TryGetProperty("cache_read_input_tokens", out _));
        Assert.True(usage.TryGetProperty("cache_creation_input_tokens", out _));
    }

    [Fact]
    public async Task PostChatCompletions_NonStreaming_ReturnsChatCompletionWithUsage()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(DemoClient.OpenAI("""{"model": "gpt-demo", "messages": [{"role": "user", "content": "Hello"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = body.RootElement;
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("gpt-demo", root.GetProperty("model").GetString());
        var choice = Assert.Single(root.GetProperty("choices").EnumerateArray());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.False(string.IsNullOrWhiteSpace(choice.GetProperty("message").GetProperty("content").GetString()));
        var usage = root.GetProperty("usage");
        var prompt = usage.GetProperty("prompt_tokens").GetInt32();
        var completion = usage.GetProperty("completion_tokens").GetInt32();
        Assert.True(prompt > 0 && completion > 0);
        Assert.Equal(prompt + completion, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task PostMessages_Streaming_EmitsAnthropicEventSequence()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(
            DemoClient.Anthropic("""{"model": "claude-demo", "max_tokens": 4096, "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var events = await DemoClient.ReadEventsAsync(response, Ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var types = events.Select(e => e.EventType).ToList();
        Assert.Equal(["message_start", "content_block_start", "ping"], types[..3]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], types[^3..]);
        Assert.All(types[3..^3], t => Assert.Equal("content_block_delta", t));
        Assert.NotEmpty(types[3..^3]);

        // Every data payload names its own event type, as the API does.
        Assert.All(events, e => Assert.Equal(e.EventType, JsonDocument.Parse(e.Data).RootElement.GetProperty("type").GetString()));

        using var start = JsonDocument.Parse(events[0].Data);
        Assert.True(start.RootElement.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);
        var text = new StringBuilder();
        foreach (var delta in events.Where(e => e.EventType == "content_block_delta"))
        {
            using var d = JsonDocument.Parse(delta.Data);
            Assert.Equal("text_delta", d.RootElement.GetProperty("delta").GetProperty("type").GetString());
            text.Append(d.RootElement.GetProperty("delta").GetProperty("text").GetString());
        }

        Assert.False(string.IsNullOrWhiteSpace(text.ToString()));
        using var messageDelta = JsonDocument.Parse(events[^2].Data);
        Assert.Equal("end_turn", messageDelta.RootElement.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.True(messageDelta.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task PostMessages_StreamingWithToolForced_EmitsToolUseBlockWithJsonFragments()
    {
        var options = DemoClient.Quiet();
        options.ToolRate = 1;
        using var client = DemoClient.Create(options);

        using var response = await client.SendAsync(
            DemoClient.Anthropic($$"""{"model": "claude-demo", "max_tokens": 4096, "stream": true, {{AnthropicTools}}, "messages": [{"role": "user", "content": "Show me the file"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var events = await DemoClient.ReadEventsAsync(response, Ct);

        var toolStart = events.Single(e => e.EventType == "content_block_start" && e.Data.Contains("\"tool_use\"", StringComparison.Ordinal));
        using var startJson = JsonDocument.Parse(toolStart.Data);
        var block = startJson.RootElement.GetProperty("content_block");
        Assert.Equal("read_file", block.GetProperty("name").GetString());
        Assert.StartsWith("toolu_", block.GetProperty("id").GetString(), StringComparison.Ordinal);
        var index = startJson.RootElement.GetProperty("index").GetInt32();

        var json = new StringBuilder();
        foreach (var e in events.Where(e => e.EventType == "content_block_delta"))
        {
            using var d = JsonDocument.Parse(e.Data);
            if (d.RootElement.GetProperty("index").GetInt32() == index)
            {
                Assert.Equal("input_json_delta", d.RootElement.GetProperty("delta").GetProperty("type").GetString());
                json.Append(d.RootElement.GetProperty("delta").GetProperty("partial_json").GetString());
            }
        }

        using var input = JsonDocument.Parse(json.ToString());
        Assert.Equal(JsonValueKind.String, input.RootElement.GetProperty("path").ValueKind);
        using var messageDelta = JsonDocument.Parse(events.Single(e => e.EventType == "message_delta").Data);
        Assert.Equal("tool_use", messageDelta.RootElement.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task PostChatCompletions_StreamingWithoutIncludeUsage_EmitsChunksThenDone()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(
            DemoClient.OpenAI("""{"model": "gpt-demo", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var events = await DemoClient.ReadEventsAsync(response, Ct);

        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var text = string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.False(string.IsNullOrWhiteSpace(text));
    }

    [Fact]
    public async Task PostChatCompletions_StreamingWithIncludeUsage_EndsWithUsageChunkBeforeDone()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(
            DemoClient.OpenAI("""{"model": "gpt-demo", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var events = await DemoClient.ReadEventsAsync(response, Ct);

        Assert.Equal("[DONE]", events[^1].Data);
        using var usageChunk = JsonDocument.Parse(events[^2].Data);
        Assert.Equal(0, usageChunk.RootElement.GetProperty("choices").GetArrayLength());
        Assert.True(usageChunk.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.All(events[..^2], e => Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(e.Data).RootElement.GetProperty("usage").ValueKind));
    }

    [Fact]
    public async Task PostChatCompletions_StreamingWithToolForced_EmitsToolCallFragments()
    {
        var options = DemoClient.Quiet();
        options.ToolRate = 1;
        using var client = DemoClient.Create(options);

        using var response = await client.SendAsync(
            DemoClient.OpenAI($$"""{"model": "gpt-demo", "stream": true, {{OpenAITools}}, "messages": [{"role": "user", "content": "Show me the file"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var events = await DemoClient.ReadEventsAsync(response, Ct);

        var chunks = events[..^1].Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        var calls = chunks
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("tool_calls", out _))
            .Select(d => d.GetProperty("tool_calls")[0])
            .ToList();
        Assert.StartsWith("call_", calls[0].GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("read_file", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.All(calls, c => Assert.Equal(0, c.GetProperty("index").GetInt32()));
        Assert.All(calls[1..], c => Assert.False(c.TryGetProperty("id", out _)));
        var arguments = string.Concat(calls.Select(c => c.GetProperty("function").GetProperty("arguments").GetString()));
        using var parsed = JsonDocument.Parse(arguments);
        Assert.Equal(JsonValueKind.String, parsed.RootElement.GetProperty("path").ValueKind);
        Assert.Equal("tool_calls", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task PostMessages_NonStreamingWithToolRequired_ReturnsToolUseBlock()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(
            DemoClient.Anthropic($$"""{"model": "claude-demo", "max_tokens": 1024, "tool_choice": {"type": "any"}, {{AnthropicTools}}, "messages": [{"role": "user", "content": "Go"}]}"""), Ct);

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("tool_use", body.RootElement.GetProperty("stop_reason").GetString());
        var tool = body.RootElement.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        Assert.Equal(JsonValueKind.Object, tool.GetProperty("input").ValueKind);
    }

    [Fact]
    public async Task PostMessages_TinyMaxTokens_StopsWithMaxTokens()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(DemoClient.Anthropic("""{"model": "claude-demo", "max_tokens": 3, "messages": [{"role": "user", "content": "Hello"}]}"""), Ct);

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("max_tokens", body.RootElement.GetProperty("stop_reason").GetString());
        Assert.True(body.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt32() <= 3);
    }

    [Fact]
    public async Task PostMessages_RateLimitForced_Returns429WithRetryAfterAndAnthropicError()
    {
        var options = DemoClient.Quiet();
        options.RateLimitRate = 1;
        using var client = DemoClient.Create(options);

        using var response = await client.SendAsync(DemoClient.Anthropic("""{"model": "claude-demo", "max_tokens": 10, "stream": true, "messages": [{"role": "user", "content": "Hi"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(int.Parse(response.Headers.GetValues("retry-after").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("rate_limit_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task PostChatCompletions_RateLimitForced_Returns429WithRetryAfterAndOpenAIError()
    {
        var options = DemoClient.Quiet();
        options.RateLimitRate = 1;
        using var client = DemoClient.Create(options);

        using var response = await client.SendAsync(DemoClient.OpenAI("""{"model": "gpt-demo", "messages": [{"role": "user", "content": "Hi"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.Contains("retry-after"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("rate_limit_exceeded", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("error").GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Post_ErrorForced_ReturnsServerErrorInRequestFormat(int seed)
    {
        var options = DemoClient.Quiet();
        options.ErrorRate = 1;
        using var client = DemoClient.Create(options, seed: seed);

        using var anthropic = await client.SendAsync(DemoClient.Anthropic("""{"model": "m", "max_tokens": 10, "messages": []}"""), Ct);
        using var openAI = await client.SendAsync(DemoClient.OpenAI("""{"model": "m", "messages": []}"""), Ct);

        Assert.Contains((int)anthropic.StatusCode, new[] { 500, 529 });
        using var anthropicBody = JsonDocument.Parse(await anthropic.Content.ReadAsStringAsync(Ct));
        Assert.Contains(anthropicBody.RootElement.GetProperty("error").GetProperty("type").GetString(), new[] { "api_error", "overloaded_error" });
        Assert.Contains((int)openAI.StatusCode, new[] { 500, 503 });
        using var openAIBody = JsonDocument.Parse(await openAI.Content.ReadAsStringAsync(Ct));
        Assert.Equal("server_error", openAIBody.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task PostChatCompletions_StreamBreakForced_ThrowsHttpIOExceptionBeforeDone()
    {
        var options = DemoClient.Quiet();
        options.StreamBreakRate = 1;
        using var client = DemoClient.Create(options);

        using var response = await client.SendAsync(
            DemoClient.OpenAI("""{"model": "gpt-demo", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ex = await Assert.ThrowsAsync<HttpIOException>(() => DemoClient.ReadEventsAsync(response, Ct));
        Assert.Equal(HttpRequestError.ResponseEnded, ex.HttpRequestError);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task PostMessages_StreamBreakForced_EndsWithErrorEventOrCutConnection(int seed)
    {
        var options = DemoClient.Quiet();
        options.StreamBreakRate = 1;
        using var client = DemoClient.Create(options, seed: seed);

        using var response = await client.SendAsync(
            DemoClient.Anthropic("""{"model": "claude-demo", "max_tokens": 4096, "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);

        try
        {
            var events = await DemoClient.ReadEventsAsync(response, Ct);
            Assert.Equal("error", events[^1].EventType);
            Assert.DoesNotContain(events, e => e.EventType == "message_stop");
            using var error = JsonDocument.Parse(events[^1].Data);
            Assert.Equal("overloaded_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        }
        catch (HttpIOException ex)
        {
            Assert.Equal(HttpRequestError.ResponseEnded, ex.HttpRequestError);
        }
    }

    [Fact]
    public async Task Stream_FakeTime_FirstEventWaitsForTimeToFirstToken()
    {
        var time = new FakeTimeProvider();
        var options = DemoClient.Quiet();
        options.TimeScale = 1;
        options.MinTimeToFirstToken = options.MaxTimeToFirstToken = TimeSpan.FromMilliseconds(500);
        using var client = DemoClient.Create(options, time);
        using var response = await client.SendAsync(
            DemoClient.OpenAI("""{"model": "gpt-demo", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);

        var read = stream.ReadAsync(new byte[4096], Ct).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await read.WaitAsync(TimeSpan.FromSeconds(10), Ct) > 0);
    }

    [Fact]
    public async Task Stream_ReadCancelled_StopsAtOnce()
    {
        var time = new FakeTimeProvider();
        var options = DemoClient.Quiet();
        options.TimeScale = 1;
        using var client = DemoClient.Create(options, time);
        using var response = await client.SendAsync(
            DemoClient.Anthropic("""{"model": "claude-demo", "max_tokens": 1024, "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);
        using var cts = new CancellationTokenSource();

        // The generator is waiting for the first token on a clock that never moves: only cancellation can end the read.
        var read = stream.ReadAsync(new byte[4096], cts.Token).AsTask();
        Assert.False(read.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task Stream_ResponseDisposed_EndsPendingRead()
    {
        var time = new FakeTimeProvider();
        var options = DemoClient.Quiet();
        options.TimeScale = 1;
        using var client = DemoClient.Create(options, time);
        var response = await client.SendAsync(
            DemoClient.OpenAI("""{"model": "gpt-demo", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var stream = await response.Content.ReadAsStreamAsync(Ct);

        var read = stream.ReadAsync(new byte[4096], Ct).AsTask();
        response.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task NonStreaming_SendCancelled_StopsAtOnce()
    {
        var time = new FakeTimeProvider();
        var options = DemoClient.Quiet();
        options.TimeScale = 1;
        using var client = DemoClient.Create(options, time);
        using var cts = new CancellationTokenSource();

        var send = client.SendAsync(DemoClient.OpenAI("""{"model": "gpt-demo", "messages": [{"role": "user", "content": "Hello"}]}"""), cts.Token);
        Assert.False(send.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task GetModels_OpenAIClient_ListsDemoModels()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var body = JsonDocument.Parse(await client.GetStringAsync("models", Ct));

        Assert.Equal("list", body.RootElement.GetProperty("object").GetString());
        var ids = body.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("demo-fast", ids);
        Assert.Contains("gpt-demo", ids);
        Assert.All(body.RootElement.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("object").GetString()));
    }

    [Fact]
    public async Task GetModels_AnthropicClient_ListsDemoModelsInAnthropicShape()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());
        using var request = new HttpRequestMessage(HttpMethod.Get, "models");
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await client.SendAsync(request, Ct);

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.False(body.RootElement.GetProperty("has_more").GetBoolean());
        Assert.Contains(body.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "claude-demo" && m.GetProperty("type").GetString() == "model");
    }

    [Fact]
    public async Task PostMessages_InvalidJson_Returns400InAnthropicFormat()
    {
        using var client = DemoClient.Create(DemoClient.Quiet());

        using var response = await client.SendAsync(DemoClient.Anthropic("{not json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }
}
