// The SDK marks its Responses client as evaluation-only (OPENAI001); it is the client these tests are about.
#pragma warning disable OPENAI001

using System.ClientModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using OpenAI.Responses;

namespace Inflight.Tests.Sdk;

/// <summary>
/// The official OpenAI .NET SDK's Responses client pointed at Inflight, against a fake provider of each
/// kind that plays one <c>exec_command</c> tool round trip (<see cref="ToolRoundTripProvider"/>).
/// </summary>
public sealed class ResponsesSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> ProviderFormats => ["responses", "openai", "anthropic"];

    [Theory]
    [MemberData(nameof(ProviderFormats))]
    public async Task CreateResponse_ToolRoundTrip_ParsesTheCallThenTheAnswerAndUsage(string providerFormat)
    {
        await using var upstream = await FakeUpstream.StartAsync(new ToolRoundTripProvider(providerFormat).HandleAsync);
        await using var app = GatewayApp.StartWithUpstream(upstream, providerFormat);
        var client = ClientFor(app);
        var options = Options([ResponseItem.CreateUserMessageItem("Run the marker command.")]);

        ResponseResult first = await client.CreateResponseAsync(options, Ct);

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems, item => item is FunctionCallResponseItem));
        Assert.Equal("exec_command", call.FunctionName);
        Assert.Equal(ToolRoundTripProvider.Command, JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("cmd").GetString());
        Assert.NotNull(first.Usage);

        var next = Options([.. options.InputItems, call, ResponseItem.CreateFunctionCallOutputItem(call.CallId, ToolRoundTripProvider.Marker + "\n")]);
        ResponseResult second = await client.CreateResponseAsync(next, Ct);

        Assert.Equal(ToolRoundTripProvider.FinalAnswer, second.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, second.Status);
        Assert.True(second.Usage.OutputTokenCount > 0);
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Contains(ToolRoundTripProvider.Marker, ToolRoundTripProvider.ToolResultOf(providerFormat, JsonNode.Parse(upstream.Requests[1].Body)!), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProviderFormats))]
    public async Task CreateResponseStreaming_ToolRoundTrip_ReceivesArgumentDeltasThenTextDeltasAndUsage(string providerFormat)
    {
        await using var upstream = await FakeUpstream.StartAsync(new ToolRoundTripProvider(providerFormat).HandleAsync);
        await using var app = GatewayApp.StartWithUpstream(upstream, providerFormat);
        var client = ClientFor(app);
        var options = Options([ResponseItem.CreateUserMessageItem("Run the marker command.")], stream: true);

        var arguments = "";
        FunctionCallResponseItem? call = null;
        ResponseResult? completed = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(options, Ct))
        {
            switch (update)
            {
                case StreamingResponseFunctionCallArgumentsDeltaUpdate delta:
                    arguments += delta.Delta.ToString();
                    break;
                case StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem done }:
                    call = done;
                    break;
                case StreamingResponseCompletedUpdate end:
                    completed = end.Response;
                    break;
            }
        }

        Assert.NotNull(call);
        Assert.NotNull(completed);
        Assert.Equal("exec_command", call.FunctionName);
        Assert.Equal(call.FunctionArguments.ToString(), arguments);
        Assert.Equal(ToolRoundTripProvider.Command, JsonDocument.Parse(arguments).RootElement.GetProperty("cmd").GetString());

        var next = Options([.. options.InputItems, call, ResponseItem.CreateFunctionCallOutputItem(call.CallId, ToolRoundTripProvider.Marker + "\n")], stream: true);
        var text = "";
        completed = null;
        var sequence = new List<int>();
        await foreach (var update in await client.CreateResponseStreamingAsync(next, Ct))
        {
            sequence.Add(update.SequenceNumber);
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text += delta.Delta;
            }
            else if (update is StreamingResponseCompletedUpdate end)
            {
                completed = end.Response;
            }
        }

        Assert.Equal(ToolRoundTripProvider.FinalAnswer, text);
        Assert.NotNull(completed);
        Assert.Equal(ToolRoundTripProvider.FinalAnswer, completed.GetOutputText());
        Assert.True(completed.Usage.OutputTokenCount > 0);
        Assert.Equal(Enumerable.Range(sequence[0], sequence.Count), sequence);
    }

    [Fact]
    public async Task CreateResponse_UpstreamRateLimited_SdkSeesStatusAndMessage()
    {
        const string Limited = """{"error":{"message":"Rate limit reached.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, Limited, 429));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");
        var client = ClientFor(app);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync(Options([ResponseItem.CreateUserMessageItem("hi")]), Ct));

        Assert.Equal(429, error.Status);
        Assert.Contains("Rate limit reached.", error.Message, StringComparison.Ordinal);
    }

    private static CreateResponseOptions Options(IEnumerable<ResponseItem> input, bool stream = false)
    {
        var options = new CreateResponseOptions("fake:gpt-5.1-codex", input) { StoredOutputEnabled = false, StreamingEnabled = stream };
        options.Tools.Add(ResponseTool.CreateFunctionTool(
            "exec_command",
            BinaryData.FromString("""{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}"""),
            strictModeEnabled: false,
            "Runs a command."));
        return options;
    }

    private static ResponsesClient ClientFor(GatewayApp app)
        => new(new ApiKeyCredential("client-key"), new ResponsesClientOptions { Endpoint = new Uri(app.BaseAddress, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });
}
