using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Sdk;

/// <summary>
/// The official Anthropic SDK, pointed at Inflight, against a fake OpenAI-format provider: what the SDK
/// parses from translated answers, what the provider receives from translated requests, and the
/// tracker's record of each request.
/// </summary>
public sealed class AnthropicSdkOverOpenAITests
{
    private const string Question = "What's the weather in Paris?";
    private const string ToolResultText = "18°C, sunny";
    private const string FinalAnswer = "It is 18°C and sunny in Paris.";
    private const string CallId = "call_DdmO9pD3xa9XTPNJ32zg2hcA";
    private const string SecondCallId = "call_q9EgvGCrxKZ1KcGrY3FnXG2s";
    private const string ParisArguments = """{"location":"Paris, France","unit":"celsius"}""";
    private const string TokyoArguments = """{"timezone":"Asia/Tokyo"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_ToolUseConversation_ParsesToolUseAndSendsOpenAIToolMessages()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, request) => HasToolMessage(request.Body)
            ? FakeResponses.WriteJsonAsync(ctx, OpenAIRecordings.FinalAnswerCompletion)
            : FakeResponses.WriteJsonAsync(ctx, OpenAIRecordings.ToolCallCompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        using var client = SdkPassThroughTests.AnthropicClientFor(app);

        // Turn 1: the model asks for the tool.
        var first = await client.Messages.Create(Params([new UserMessageParam(Question)]), Ct);

        Assert.Equal(StopReason.ToolUse, first.StopReason!.Value());
        var toolUse = AssertSingleToolUse(first.Content);
        Assert.Equal(CallId, toolUse.ID);
        Assert.Equal("get_weather", toolUse.Name);
        AssertJsonEqual(ParisArguments, JsonSerializer.Serialize(toolUse.Input));
        Assert.Equal(85, first.Usage.InputTokens);
        Assert.Equal(23, first.Usage.OutputTokens);
        AssertToolsTranslated(upstream.Requests[0].Body);
        Assert.Equal("/v1/chat/completions", upstream.Requests[0].PathAndQuery);
        Assert.Equal("Bearer upstream-secret", upstream.Requests[0].Headers["authorization"]);
        Assert.False(upstream.Requests[0].Headers.ContainsKey("x-api-key"), "the client's key must not reach the provider");
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 85, output: 23, toolCalls: 1, toolUses: 0, toolResults: 0);

        // Turn 2: the client sends the tool_use back with its result.
        var second = await client.Messages.Create(Params(SecondTurn(toolUse)), Ct);

        Assert.Equal(StopReason.EndTurn, second.StopReason!.Value());
        Assert.True(Assert.Single(second.Content).TryPickText(out var text));
        Assert.Equal(FinalAnswer, text!.Text);
        Assert.Equal(120, second.Usage.InputTokens);
        Assert.Equal(12, second.Usage.OutputTokens);
        AssertOpenAIToolHistory(upstream.Requests[1].Body, (CallId, "get_weather", ParisArguments));
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 120, output: 12, toolCalls: 0, toolUses: 1, toolResults: 1);
    }

    [Fact]
    public async Task CreateStreaming_ToolUseConversation_StreamsInputJsonAndSendsOpenAIToolMessages()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, request) => HasToolMessage(request.Body)
            ? FakeResponses.WriteEventsAsync(ctx, OpenAIRecordings.FinalAnswerStream)
            : FakeResponses.WriteEventsAsync(ctx, OpenAIRecordings.ToolCallStream));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        using var client = SdkPassThroughTests.AnthropicClientFor(app);

        // Turn 1: the tool call streams as a tool_use block with input_json_delta fragments.
        var (first, firstEvents) = await StreamAsync(client, Params([new UserMessageParam(Question)]));

        var start = Assert.Single(firstEvents.OfType<RawContentBlockStartEvent>());
        Assert.True(start.ContentBlock.TryPickToolUse(out var startedToolUse));
        Assert.Equal((CallId, "get_weather"), (startedToolUse!.ID, startedToolUse.Name));
        var fragments = firstEvents.OfType<RawContentBlockDeltaEvent>()
            .Select(e => e.Delta.TryPickInputJson(out var json) ? json!.PartialJson : throw new InvalidOperationException("expected input_json_delta"))
            .ToList();
        Assert.Equal(OpenAIRecordings.ParisFragments, fragments);
        Assert.Equal(StopReason.ToolUse, first.StopReason!.Value());
        var toolUse = AssertSingleToolUse(first.Content);
        Assert.Equal((CallId, "get_weather"), (toolUse.ID, toolUse.Name));
        AssertJsonEqual(ParisArguments, JsonSerializer.Serialize(toolUse.Input));
        Assert.Equal(85, first.Usage.InputTokens);
        Assert.Equal(23, first.Usage.OutputTokens);
        Assert.Contains("\"include_usage\":true", upstream.Requests[0].Body, StringComparison.Ordinal);
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 85, output: 23, toolCalls: 1, toolUses: 0, toolResults: 0);

        // Turn 2: the result goes back as an OpenAI tool message; the answer streams as text.
        var (second, _) = await StreamAsync(client, Params(SecondTurn(toolUse)));

        Assert.Equal(StopReason.EndTurn, second.StopReason!.Value());
        Assert.True(Assert.Single(second.Content).TryPickText(out var text));
        Assert.Equal(FinalAnswer, text!.Text);
        Assert.Equal(120, second.Usage.InputTokens);
        Assert.Equal(12, second.Usage.OutputTokens);
        AssertOpenAIToolHistory(upstream.Requests[1].Body, (CallId, "get_weather", ParisArguments));
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 120, output: 12, toolCalls: 0, toolUses: 1, toolResults: 1);
    }

    [Fact]
    public async Task CreateStreaming_ParallelToolCalls_ParsesTwoToolUseBlocksAndSendsBothBack()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, request) => HasToolMessage(request.Body)
            ? FakeResponses.WriteEventsAsync(ctx, OpenAIRecordings.FinalAnswerStream)
            : FakeResponses.WriteEventsAsync(ctx, OpenAIRecordings.ParallelToolCallStream));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        using var client = SdkPassThroughTests.AnthropicClientFor(app);

        var (first, events) = await StreamAsync(client, Params([new UserMessageParam("Weather in Paris and the time in Tokyo?")]));

        Assert.Equal([0L, 1L], events.OfType<RawContentBlockStartEvent>().Select(e => e.Index));
        Assert.Equal(StopReason.ToolUse, first.StopReason!.Value());
        var toolUses = first.Content.Select(block => block.TryPickToolUse(out var use) ? use! : throw new InvalidOperationException("expected tool_use")).ToList();
        Assert.Equal(2, toolUses.Count);
        Assert.Equal((CallId, "get_weather"), (toolUses[0].ID, toolUses[0].Name));
        AssertJsonEqual(ParisArguments, JsonSerializer.Serialize(toolUses[0].Input));
        Assert.Equal((SecondCallId, "get_time"), (toolUses[1].ID, toolUses[1].Name));
        AssertJsonEqual(TokyoArguments, JsonSerializer.Serialize(toolUses[1].Input));
        Assert.Equal(91, first.Usage.InputTokens);
        Assert.Equal(48, first.Usage.OutputTokens);
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 91, output: 48, toolCalls: 2, toolUses: 0, toolResults: 0);

        MessageParam[] history =
        [
            new UserMessageParam("Weather in Paris and the time in Tokyo?"),
            new AssistantMessageParam(new List<ContentBlockParam> { ToParam(toolUses[0]), ToParam(toolUses[1]) }),
            new UserMessageParam(new List<ContentBlockParam>
            {
                new ToolResultBlockParam(CallId) { Content = ToolResultText },
                new ToolResultBlockParam(SecondCallId) { Content = "21:04" },
            }),
        ];
        var (second, _) = await StreamAsync(client, Params(history));

        Assert.Equal(StopReason.EndTurn, second.StopReason!.Value());
        using var body = JsonDocument.Parse(upstream.Requests[1].Body);
        var messages = body.RootElement.GetProperty("messages");
        Assert.Equal(["user", "assistant", "tool", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        var calls = messages[1].GetProperty("tool_calls");
        Assert.Equal([CallId, SecondCallId], calls.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        AssertJsonEqual(TokyoArguments, calls[1].GetProperty("function").GetProperty("arguments").GetString()!);
        Assert.Equal((CallId, ToolResultText), (messages[2].GetProperty("tool_call_id").GetString(), messages[2].GetProperty("content").GetString()));
        Assert.Equal((SecondCallId, "21:04"), (messages[3].GetProperty("tool_call_id").GetString(), messages[3].GetProperty("content").GetString()));
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 120, output: 12, toolCalls: 0, toolUses: 2, toolResults: 2);
    }

    /// <summary>OpenRouter reports cache writes in prompt_tokens_details.cache_write_tokens; DeepSeek reports cache hits at the top level.</summary>
    [Theory]
    [InlineData(false, """{"prompt_tokens":2006,"completion_tokens":9,"total_tokens":2015,"prompt_tokens_details":{"cached_tokens":1800,"cache_write_tokens":150,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}""", 56, 1800, 150)]
    [InlineData(true, """{"prompt_tokens":2006,"completion_tokens":9,"total_tokens":2015,"prompt_tokens_details":{"cached_tokens":1800,"cache_write_tokens":150,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}""", 56, 1800, 150)]
    [InlineData(false, """{"prompt_tokens":2006,"completion_tokens":9,"total_tokens":2015,"prompt_cache_hit_tokens":1920,"prompt_cache_miss_tokens":86}""", 86, 1920, 0)]
    [InlineData(true, """{"prompt_tokens":2006,"completion_tokens":9,"total_tokens":2015,"prompt_cache_hit_tokens":1920,"prompt_cache_miss_tokens":86}""", 86, 1920, 0)]
    public async Task Create_CompatibleProviderCacheUsage_ReportsCacheReadsAndWritesApartLikeTheTracker(bool streaming, string usage, long input, long cacheRead, long cacheCreation)
    {
        var completion = OpenAIRecordings.FinalAnswerCompletion.Replace(OpenAIRecordings.FinalAnswerUsage, usage, StringComparison.Ordinal);
        string[] stream = [.. OpenAIRecordings.FinalAnswerStream.SkipLast(2), $$"""data: {"id":"chatcmpl-C3FinalStream0001","object":"chat.completion.chunk","created":1741570283,"model":"deepseek-chat","choices":[],"usage":{{usage}}}""" + "\n\n", "data: [DONE]\n\n"];
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => streaming
            ? FakeResponses.WriteEventsAsync(ctx, stream)
            : FakeResponses.WriteJsonAsync(ctx, completion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        using var client = SdkPassThroughTests.AnthropicClientFor(app);

        var message = streaming
            ? (await StreamAsync(client, Params([new UserMessageParam(Question)]))).Message
            : await client.Messages.Create(Params([new UserMessageParam(Question)]), Ct);

        Assert.Equal(FinalAnswer, Assert.Single(message.Content).Value is TextBlock text ? text.Text : null);
        Assert.Equal((input, cacheRead, cacheCreation, 9L), (message.Usage.InputTokens, message.Usage.CacheReadInputTokens, message.Usage.CacheCreationInputTokens, message.Usage.OutputTokens));
        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal((input, cacheRead, cacheCreation, 9L), (logged.InputTokens, logged.CacheReadTokens, logged.CacheCreationTokens, logged.OutputTokens));
    }

    private static MessageCreateParams Params(IReadOnlyList<MessageParam> messages) => new()
    {
        MaxTokens = 1024,
        Model = "claude-sonnet-4-5",
        Messages = messages,
        Tools = [WeatherTool, TimeTool],
    };

    private static readonly Tool WeatherTool = new()
    {
        Name = "get_weather",
        Description = "Get the current weather in a given location",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement>
            {
                ["location"] = Json("""{"type":"string","description":"The city and country, e.g. Paris, France"}"""),
                ["unit"] = Json("""{"type":"string","enum":["celsius","fahrenheit"]}"""),
            },
            Required = ["location"],
        },
    };

    private static readonly Tool TimeTool = new()
    {
        Name = "get_time",
        Description = "Get the current time in a time zone",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement> { ["timezone"] = Json("""{"type":"string"}""") },
            Required = ["timezone"],
        },
    };

    /// <summary>The whole conversation again, as a client sends it: question, the model's tool_use, the tool's result.</summary>
    private static MessageParam[] SecondTurn(ToolUseBlock toolUse) =>
    [
        new UserMessageParam(Question),
        new AssistantMessageParam(new List<ContentBlockParam> { ToParam(toolUse) }),
        new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(toolUse.ID) { Content = ToolResultText } }),
    ];

    private static ToolUseBlockParam ToParam(ToolUseBlock toolUse) => new() { ID = toolUse.ID, Name = toolUse.Name, Input = toolUse.Input };

    /// <summary>Streams a request, keeping every event, and returns the message as the SDK's aggregator builds it.</summary>
    private static async Task<(Message Message, List<object> Events)> StreamAsync(AnthropicClient client, MessageCreateParams parameters)
    {
        var events = new List<object>();
        var message = await Record(client.Messages.CreateStreaming(parameters, Ct), events).Aggregate();
        return (message, events);

        static async IAsyncEnumerable<RawMessageStreamEvent> Record(IAsyncEnumerable<RawMessageStreamEvent> source, List<object> into)
        {
            await foreach (var item in source)
            {
                into.Add(item.Value!);
                yield return item;
            }
        }
    }

    private static ToolUseBlock AssertSingleToolUse(IReadOnlyList<ContentBlock> content)
    {
        Assert.True(Assert.Single(content).TryPickToolUse(out var toolUse));
        return toolUse!;
    }

    private static void AssertToolsTranslated(string openAIBody)
    {
        using var body = JsonDocument.Parse(openAIBody);
        var tools = body.RootElement.GetProperty("tools");
        Assert.Equal(2, tools.GetArrayLength());
        Assert.Equal("function", tools[0].GetProperty("type").GetString());
        var function = tools[0].GetProperty("function");
        Assert.Equal("get_weather", function.GetProperty("name").GetString());
        Assert.Equal("Get the current weather in a given location", function.GetProperty("description").GetString());
        var parameters = function.GetProperty("parameters");
        Assert.Equal("object", parameters.GetProperty("type").GetString());
        Assert.Equal(["location"], parameters.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["celsius", "fahrenheit"], parameters.GetProperty("properties").GetProperty("unit").GetProperty("enum").EnumerateArray().Select(r => r.GetString()));
    }

    /// <summary>The provider got the history as OpenAI expects: the assistant's tool_calls, then a tool message with the result.</summary>
    private static void AssertOpenAIToolHistory(string openAIBody, (string Id, string Name, string Arguments) call)
    {
        using var body = JsonDocument.Parse(openAIBody);
        var messages = body.RootElement.GetProperty("messages");
        Assert.Equal(["user", "assistant", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(Question, messages[0].GetProperty("content").GetString());
        var toolCall = Assert.Single(messages[1].GetProperty("tool_calls").EnumerateArray());
        Assert.Equal(call.Id, toolCall.GetProperty("id").GetString());
        Assert.Equal("function", toolCall.GetProperty("type").GetString());
        Assert.Equal(call.Name, toolCall.GetProperty("function").GetProperty("name").GetString());
        AssertJsonEqual(call.Arguments, toolCall.GetProperty("function").GetProperty("arguments").GetString()!);
        Assert.Equal(call.Id, messages[2].GetProperty("tool_call_id").GetString());
        Assert.Equal(ToolResultText, messages[2].GetProperty("content").GetString());
    }

    private static void AssertRecord(Inflight.Tracking.RequestLogEntry logged, long input, long output, int toolCalls, int toolUses, int toolResults)
    {
        Assert.Equal("success", logged.Status);
        Assert.Equal(("anthropic", "openai"), (logged.ClientFormat, logged.UpstreamFormat));
        Assert.Equal((input, output), (logged.InputTokens, logged.OutputTokens));
        Assert.False(logged.TokensEstimated);
        Assert.Equal((toolCalls, toolUses, toolResults), (logged.ToolCalls, logged.ToolUses, logged.ToolResults));
    }

    internal static void AssertJsonEqual(string expected, string actual)
        => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected {expected}, got {actual}");

    private static bool HasToolMessage(string openAIBody)
    {
        using var body = JsonDocument.Parse(openAIBody);
        return body.RootElement.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("role").ValueEquals("tool"));
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
