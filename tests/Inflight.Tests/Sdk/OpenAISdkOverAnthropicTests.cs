using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;
using OpenAI.Chat;

namespace Inflight.Tests.Sdk;

/// <summary>
/// The official OpenAI SDK, pointed at Inflight, against a fake Anthropic-format provider: what the SDK
/// parses from translated answers, what the provider receives from translated requests, and the
/// tracker's record of each request.
/// </summary>
public sealed class OpenAISdkOverAnthropicTests
{
    private const string Question = "What's the weather in Paris?";
    private const string ToolResultText = "18°C, sunny";
    private const string FinalAnswer = "It is 18°C and sunny in Paris.";
    private const string ParisArguments = """{"location":"Paris, France","unit":"celsius"}""";
    private const string TokyoArguments = """{"timezone":"Asia/Tokyo"}""";
    private const string WeatherId = AnthropicRecordings.WeatherToolUseId;
    private const string TimeId = AnthropicRecordings.TimeToolUseId;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompleteChat_ToolUseConversation_ParsesToolCallsAndSendsAnthropicToolBlocks()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, request) => HasToolResult(request.Body)
            ? FakeResponses.WriteJsonAsync(ctx, AnthropicRecordings.FinalAnswerMessage)
            : FakeResponses.WriteJsonAsync(ctx, AnthropicRecordings.ToolUseMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var client = SdkPassThroughTests.ChatClientFor(app, "claude-sonnet-4-5");

        // Turn 1: the model asks for the tool.
        ChatCompletion first = await client.CompleteChatAsync([new UserChatMessage(Question)], Options(), Ct);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("I'll check the weather in Paris.", Assert.Single(first.Content).Text);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal((WeatherId, "get_weather"), (call.Id, call.FunctionName));
        AnthropicSdkOverOpenAITests.AssertJsonEqual(ParisArguments, call.FunctionArguments.ToString());
        Assert.Equal(472, first.Usage.InputTokenCount);
        Assert.Equal(89, first.Usage.OutputTokenCount);
        AssertToolsTranslated(upstream.Requests[0].Body);
        Assert.Equal("/v1/messages", upstream.Requests[0].PathAndQuery);
        Assert.Equal(("upstream-secret", "2023-06-01"), (upstream.Requests[0].Headers["x-api-key"], upstream.Requests[0].Headers["anthropic-version"]));
        Assert.False(upstream.Requests[0].Headers.ContainsKey("authorization"), "the client's key must not reach the provider");
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 472, output: 89, toolCalls: 1, toolUses: 0, toolResults: 0);

        // Turn 2: the SDK's own assistant message from the completion, then the tool's result.
        ChatCompletion second = await client.CompleteChatAsync(
            [new UserChatMessage(Question), new AssistantChatMessage(first), new ToolChatMessage(call.Id, ToolResultText)],
            Options(),
            Ct);

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal(FinalAnswer, Assert.Single(second.Content).Text);
        Assert.Empty(second.ToolCalls);
        Assert.Equal(580, second.Usage.InputTokenCount);
        Assert.Equal(15, second.Usage.OutputTokenCount);
        var assistant = AssertAnthropicToolHistory(upstream.Requests[1].Body, [(WeatherId, "get_weather", ParisArguments)], [(WeatherId, ToolResultText)]);
        Assert.Equal(("text", "I'll check the weather in Paris."), (assistant[0].GetProperty("type").GetString(), assistant[0].GetProperty("text").GetString()));
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 580, output: 15, toolCalls: 0, toolUses: 1, toolResults: 1);
    }

    [Fact]
    public async Task CompleteChatStreaming_ToolUseConversation_StreamsArgumentFragmentsAndSendsAnthropicToolBlocks()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, request) => HasToolResult(request.Body)
            ? FakeResponses.WriteEventsAsync(ctx, AnthropicRecordings.FinalAnswerStream)
            : FakeResponses.WriteEventsAsync(ctx, AnthropicRecordings.ToolUseStream));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var client = SdkPassThroughTests.ChatClientFor(app, "claude-sonnet-4-5");

        // Turn 1: text, then one tool call whose arguments arrive in fragments.
        var first = await StreamAsync(client, [new UserChatMessage(Question)]);

        Assert.Equal("I'll check the weather in Paris.", first.Text);
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal((0, WeatherId, "get_weather"), (call.Index, call.Id, call.Name));
        Assert.Equal(AnthropicRecordings.ParisFragments.Where(f => f.Length > 0), call.Fragments);
        AnthropicSdkOverOpenAITests.AssertJsonEqual(ParisArguments, call.Arguments);
        Assert.NotNull(first.Usage);
        Assert.Equal(472, first.Usage.InputTokenCount);
        Assert.Equal(89, first.Usage.OutputTokenCount);
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 472, output: 89, toolCalls: 1, toolUses: 0, toolResults: 0);

        // Turn 2: the assistant's tool call and the tool's result go back; the answer streams as text.
        var second = await StreamAsync(client,
        [
            new UserChatMessage(Question),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall(call.Id, call.Name, BinaryData.FromString(call.Arguments))]),
            new ToolChatMessage(call.Id, ToolResultText),
        ]);

        Assert.Equal(FinalAnswer, second.Text);
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Empty(second.ToolCalls);
        Assert.Equal(580, second.Usage?.InputTokenCount);
        Assert.Equal(15, second.Usage?.OutputTokenCount);
        AssertAnthropicToolHistory(upstream.Requests[1].Body, [(WeatherId, "get_weather", ParisArguments)], [(WeatherId, ToolResultText)]);
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 580, output: 15, toolCalls: 0, toolUses: 1, toolResults: 1);
    }

    [Fact]
    public async Task CompleteChatStreaming_ParallelToolUse_ParsesTwoIndexedToolCallsAndSendsBothBack()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, request) => HasToolResult(request.Body)
            ? FakeResponses.WriteEventsAsync(ctx, AnthropicRecordings.FinalAnswerStream)
            : FakeResponses.WriteEventsAsync(ctx, AnthropicRecordings.ParallelToolUseStream));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var client = SdkPassThroughTests.ChatClientFor(app, "claude-sonnet-4-5");
        const string ask = "Weather in Paris and the time in Tokyo?";

        var first = await StreamAsync(client, [new UserChatMessage(ask)]);

        Assert.Equal("", first.Text);
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal(2, first.ToolCalls.Count);
        Assert.Equal((0, WeatherId, "get_weather"), (first.ToolCalls[0].Index, first.ToolCalls[0].Id, first.ToolCalls[0].Name));
        AnthropicSdkOverOpenAITests.AssertJsonEqual(ParisArguments, first.ToolCalls[0].Arguments);
        Assert.Equal((1, TimeId, "get_time"), (first.ToolCalls[1].Index, first.ToolCalls[1].Id, first.ToolCalls[1].Name));
        AnthropicSdkOverOpenAITests.AssertJsonEqual(TokyoArguments, first.ToolCalls[1].Arguments);
        Assert.Equal(480, first.Usage?.InputTokenCount);
        Assert.Equal(112, first.Usage?.OutputTokenCount);
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 480, output: 112, toolCalls: 2, toolUses: 0, toolResults: 0);

        var second = await StreamAsync(client,
        [
            new UserChatMessage(ask),
            new AssistantChatMessage(first.ToolCalls.Select(c => ChatToolCall.CreateFunctionToolCall(c.Id, c.Name, BinaryData.FromString(c.Arguments)))),
            new ToolChatMessage(WeatherId, ToolResultText),
            new ToolChatMessage(TimeId, "21:04"),
        ]);

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal(FinalAnswer, second.Text);
        AssertAnthropicToolHistory(
            upstream.Requests[1].Body,
            [(WeatherId, "get_weather", ParisArguments), (TimeId, "get_time", TokyoArguments)],
            [(WeatherId, ToolResultText), (TimeId, "21:04")],
            question: ask);
        AssertRecord(await PassThroughTests.FinishedRequestAsync(app), input: 580, output: 15, toolCalls: 0, toolUses: 2, toolResults: 2);
    }

    private static ChatCompletionOptions Options() => new()
    {
        MaxOutputTokenCount = 1024,
        Tools = { WeatherTool, TimeTool },
    };

    private static readonly ChatTool WeatherTool = ChatTool.CreateFunctionTool(
        "get_weather",
        "Get the current weather in a given location",
        BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string","description":"The city and country, e.g. Paris, France"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}"""));

    private static readonly ChatTool TimeTool = ChatTool.CreateFunctionTool(
        "get_time",
        "Get the current time in a time zone",
        BinaryData.FromString("""{"type":"object","properties":{"timezone":{"type":"string"}},"required":["timezone"]}"""));

    private sealed record StreamedToolCall(int Index, string Id, string Name, List<string> Fragments)
    {
        public string Arguments => string.Concat(Fragments);
    }

    private sealed record StreamedCompletion(string Text, ChatFinishReason? FinishReason, ChatTokenUsage? Usage, List<StreamedToolCall> ToolCalls);

    /// <summary>Collects a streamed completion the way SDK users do: text, tool calls by index, finish reason, usage.</summary>
    private static async Task<StreamedCompletion> StreamAsync(ChatClient client, ChatMessage[] messages)
    {
        var text = new StringBuilder();
        var calls = new SortedDictionary<int, StreamedToolCall>();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, Options(), Ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            foreach (var toolCall in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(toolCall.Index, out var call))
                {
                    // The first update of a call names it; later ones carry only argument fragments.
                    Assert.NotNull(toolCall.ToolCallId);
                    Assert.NotNull(toolCall.FunctionName);
                    call = new StreamedToolCall(toolCall.Index, toolCall.ToolCallId, toolCall.FunctionName, []);
                    calls.Add(toolCall.Index, call);
                }
                else
                {
                    Assert.Null(toolCall.ToolCallId);
                }

                if (toolCall.FunctionArgumentsUpdate is { } fragment && !fragment.IsEmpty)
                {
                    call.Fragments.Add(fragment.ToString());
                }
            }

            finish = update.FinishReason ?? finish;
            usage = update.Usage ?? usage;
        }

        return new StreamedCompletion(text.ToString(), finish, usage, [.. calls.Values]);
    }

    private static void AssertToolsTranslated(string anthropicBody)
    {
        using var body = JsonDocument.Parse(anthropicBody);
        Assert.Equal(1024, body.RootElement.GetProperty("max_tokens").GetInt32());
        var tools = body.RootElement.GetProperty("tools");
        Assert.Equal(2, tools.GetArrayLength());
        Assert.Equal("get_weather", tools[0].GetProperty("name").GetString());
        Assert.Equal("Get the current weather in a given location", tools[0].GetProperty("description").GetString());
        var schema = tools[0].GetProperty("input_schema");
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal(["location"], schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["celsius", "fahrenheit"], schema.GetProperty("properties").GetProperty("unit").GetProperty("enum").EnumerateArray().Select(r => r.GetString()));
    }

    /// <summary>
    /// The provider got the history as Anthropic expects: the assistant turn with <c>tool_use</c> blocks,
    /// then one user turn with a <c>tool_result</c> per call. Returns the assistant turn's blocks.
    /// </summary>
    private static List<JsonElement> AssertAnthropicToolHistory(
        string anthropicBody,
        (string Id, string Name, string Input)[] toolUses,
        (string Id, string Content)[] toolResults,
        string question = Question)
    {
        using var body = JsonDocument.Parse(anthropicBody);
        var messages = body.RootElement.GetProperty("messages");
        Assert.Equal(["user", "assistant", "user"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(question, ContentText(messages[0].GetProperty("content")));

        var assistant = messages[1].GetProperty("content").EnumerateArray().Select(b => b.Clone()).ToList();
        var uses = assistant.Where(b => b.GetProperty("type").ValueEquals("tool_use")).ToList();
        Assert.Equal(toolUses.Length, uses.Count);
        for (var i = 0; i < uses.Count; i++)
        {
            Assert.Equal((toolUses[i].Id, toolUses[i].Name), (uses[i].GetProperty("id").GetString(), uses[i].GetProperty("name").GetString()));
            Assert.Equal(JsonValueKind.Object, uses[i].GetProperty("input").ValueKind);
            AnthropicSdkOverOpenAITests.AssertJsonEqual(toolUses[i].Input, uses[i].GetProperty("input").GetRawText());
        }

        var results = messages[2].GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(toolResults.Length, results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            Assert.Equal("tool_result", results[i].GetProperty("type").GetString());
            Assert.Equal(toolResults[i].Id, results[i].GetProperty("tool_use_id").GetString());
            Assert.Equal(toolResults[i].Content, ContentText(results[i].GetProperty("content")));
            Assert.False(results[i].TryGetProperty("is_error", out _));
        }

        return assistant;
    }

    /// <summary>Text of Anthropic content given either as a string or as text blocks.</summary>
    private static string ContentText(JsonElement content)
        => content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(b => b.GetProperty("text").GetString()));

    private static void AssertRecord(Inflight.Tracking.RequestLogEntry logged, long input, long output, int toolCalls, int toolUses, int toolResults)
    {
        Assert.Equal("success", logged.Status);
        Assert.Equal(("openai", "anthropic"), (logged.ClientFormat, logged.UpstreamFormat));
        Assert.Equal((input, output), (logged.InputTokens, logged.OutputTokens));
        Assert.False(logged.TokensEstimated);
        Assert.Equal((toolCalls, toolUses, toolResults), (logged.ToolCalls, logged.ToolUses, logged.ToolResults));
    }

    private static bool HasToolResult(string anthropicBody)
    {
        using var body = JsonDocument.Parse(anthropicBody);
        return body.RootElement.GetProperty("messages").EnumerateArray().Any(m =>
            m.GetProperty("content") is { ValueKind: JsonValueKind.Array } content
            && content.EnumerateArray().Any(b => b.GetProperty("type").ValueEquals("tool_result")));
    }
}
