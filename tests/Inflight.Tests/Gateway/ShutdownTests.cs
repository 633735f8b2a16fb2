using System.Net;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Inflight.Tests.Gateway;

/// <summary>Shutdown lets requests finish within SHUTDOWN_TIMEOUT, then ends the rest with an error in their own format.</summary>
public sealed class ShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StopAsync_StreamsOutlastTheTimeout_EachEndsWithItsFormatsErrorEventAndIsRecordedAsShutdown()
    {
        using var bothStarted = new CountdownEvent(2);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, request) =>
        {
            var anthropic = request.PathAndQuery.EndsWith("/messages", StringComparison.Ordinal);
            await FakeResponses.WriteEventsAsync(ctx, (anthropic ? ProviderRecordings.AnthropicStreamEvents : ProviderRecordings.OpenAIStreamEvents).Take(1));
            if (bothStarted.Signal())
            {
                started.SetResult();
            }

            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        });
        await using var app = GatewayApp.Start(new Dictionary<string, string?>
        {
            ["ANTH_API_KEY"] = "k1",
            ["ANTH_BASE_URL"] = upstream.BaseUrl + "v1",
            ["ANTH_API_FORMAT"] = "anthropic",
            ["OAI_API_KEY"] = "k2",
            ["OAI_BASE_URL"] = upstream.BaseUrl + "v1",
            ["OAI_API_FORMAT"] = "openai",
            ["VDM_DEFAULT_PROVIDER"] = "anth",
            ["SHUTDOWN_TIMEOUT"] = "0.5",
        });

        using var anthropicResponse = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest.Replace("claude-sonnet-4-5", "anth:claude-sonnet-4-5", StringComparison.Ordinal), stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        using var openAIResponse = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest.Replace("gpt-4o-mini", "oai:gpt-4o-mini", StringComparison.Ordinal), stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(HttpStatusCode.OK, anthropicResponse.StatusCode);

        var tracker = app.Tracker;
        var stopping = app.Services.GetRequiredService<IHost>().StopAsync(Ct);
        var anthropicText = await anthropicResponse.Content.ReadAsStringAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var openAIText = await openAIResponse.Content.ReadAsStringAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await stopping.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"", anthropicText, StringComparison.Ordinal);
        Assert.Contains("data: {\"error\":{\"message\":", openAIText, StringComparison.Ordinal);
        Assert.Contains("shutting down", openAIText, StringComparison.Ordinal);
        Assert.Equal(0, tracker.ActiveCount);
        var errors = tracker.GetRecentErrors();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("shutdown", e.ErrorType));
    }
}
