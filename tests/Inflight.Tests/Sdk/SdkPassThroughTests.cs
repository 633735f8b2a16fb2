using System.ClientModel;
using Anthropic;
using Anthropic.Models.Messages;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Inflight.Tests.Sdk;

/// <summary>The official SDKs, pointed at Inflight, against same-format fake providers.</summary>
public sealed class SdkPassThroughTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnthropicSdk_Create_ParsesTextStopReasonAndUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        using var client = AnthropicClientFor(app);

        var message = await client.Messages.Create(
            new MessageCreateParams { MaxTokens = 100, Model = "fake:claude-sonnet-4-5", Messages = [new UserMessageParam("Hello")] },
            Ct);

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Equal("Hello! How can I help?", text!.Text);
        Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
        Assert.Equal(12, message.Usage.InputTokens);
        Assert.Equal(9, message.Usage.OutputTokens);
        Assert.Equal("claude-sonnet-4-5", ReadModel(Assert.Single(upstream.Requests).Body));
    }

    [Fact]
    public async Task AnthropicSdk_CreateStreaming_ReceivesEveryDeltaAndFinalUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.AnthropicStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        using var client = AnthropicClientFor(app);

        var text = "";
        long? outputTokens = null;
        await foreach (var item in client.Messages.CreateStreaming(
            new MessageCreateParams { MaxTokens = 100, Model = "claude-sonnet-4-5", Messages = [new UserMessageParam("Hello")] },
            Ct))
        {
            if (item.Value is RawContentBlockDeltaEvent delta && delta.Delta.TryPickText(out var textDelta))
            {
                text += textDelta!.Text;
            }
            else if (item.Value is RawMessageDeltaEvent messageDelta)
            {
                outputTokens = messageDelta.Usage.OutputTokens;
            }
        }

        Assert.Equal("Hello! How can I help?", text);
        Assert.Equal(15, outputTokens);
    }

    [Fact]
    public async Task OpenAISdk_CompleteChat_ParsesTextFinishReasonAndUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        var client = ChatClientFor(app, "fake:gpt-4.1");

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hello")], cancellationToken: Ct);

        Assert.Equal("Hello! How can I help?", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(19, completion.Usage.InputTokenCount);
        Assert.Equal(10, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task OpenAISdk_CompleteChatStreaming_ReceivesEveryDelta()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        var client = ChatClientFor(app, "gpt-4o-mini");

        var text = "";
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Hello")], cancellationToken: Ct))
        {
            text += string.Concat(update.ContentUpdate.Select(part => part.Text));
            finish ??= update.FinishReason;
        }

        Assert.Equal("Hello! How can I help?", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    internal static AnthropicClient AnthropicClientFor(GatewayApp app)
        => new(new Anthropic.Core.ClientOptions { BaseUrl = app.BaseAddress.ToString().TrimEnd('/'), ApiKey = "client-key", MaxRetries = 0 });

    internal static ChatClient ChatClientFor(GatewayApp app, string model)
        => new(model, new ApiKeyCredential("client-key"), new OpenAIClientOptions { Endpoint = new Uri(app.BaseAddress, "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    private static string? ReadModel(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.GetProperty("model").GetString();
    }
}
