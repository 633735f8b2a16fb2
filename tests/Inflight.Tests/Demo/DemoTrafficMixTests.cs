using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Inflight.Demo;
using Inflight.Protocols;

namespace Inflight.Tests.Demo;

public sealed class DemoTrafficMixTests
{
    [Fact]
    public void Next_ManyRequests_CoversBothFormatsStreamingToolsAndHistory()
    {
        var mix = new DemoTrafficMix(new Random(7), unprefixedModelsReachDemo: true);

        var requests = Enumerable.Range(0, 200).Select(_ => mix.Next()).ToList();

        Assert.Contains(requests, r => r.Format == ApiFormat.Anthropic && r.Streaming);
        Assert.Contains(requests, r => r.Format == ApiFormat.Anthropic && !r.Streaming);
        Assert.Contains(requests, r => r.Format == ApiFormat.OpenAI && r.Streaming);
        Assert.Contains(requests, r => r.Format == ApiFormat.OpenAI && !r.Streaming);
        Assert.Contains(requests, r => r.Body.AsSpan().IndexOf("\"tool_result\""u8) >= 0);
        Assert.Contains(requests, r => r.Body.AsSpan().IndexOf("\"role\":\"tool\""u8) >= 0);
        Assert.Contains(requests, r => r.Body.AsSpan().IndexOf("\"include_usage\":true"u8) >= 0);
        Assert.Contains(requests, r => !r.Model.Contains(':', StringComparison.Ordinal));
        Assert.True(requests.Select(r => r.Model).Distinct().Count() >= 4);
        Assert.True(requests.Max(r => r.Body.Length) > 10 * requests.Min(r => r.Body.Length));
    }

    [Fact]
    public void Next_DefaultProviderIsNotDemo_AlwaysPrefixesModels()
    {
        var mix = new DemoTrafficMix(new Random(7), unprefixedModelsReachDemo: false);

        var requests = Enumerable.Range(0, 200).Select(_ => mix.Next()).ToList();

        Assert.All(requests, r => Assert.StartsWith("demo:", r.Model, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Next_SentToDemoHandler_EveryRequestIsAnswered()
    {
        var mix = new DemoTrafficMix(new Random(11), unprefixedModelsReachDemo: true);
        using var client = DemoClient.Create(DemoClient.Quiet());

        for (var i = 0; i < 60; i++)
        {
            var planned = mix.Next();
            using var request = new HttpRequestMessage(HttpMethod.Post, planned.Path["/v1/".Length..]) { Content = new ByteArrayContent(planned.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            if (!planned.Streaming)
            {
                using var json = JsonDocument.Parse(body);
                Assert.True(json.RootElement.TryGetProperty("usage", out _));
            }
        }
    }
}
