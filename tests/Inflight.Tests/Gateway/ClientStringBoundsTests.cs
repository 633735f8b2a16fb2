using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>Model names chosen by clients cannot grow the gateway's memory or its answers without bound.</summary>
public sealed class ClientStringBoundsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostMessages_HugeUnknownModel_404IsShortAndCreatesNoProviderKey()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var model = "nosuch:model-" + new string('m', 256 * 1024); // not a one-word tag, so "nosuch" names a provider

        using var response = await app.Client.PostAsync("/v1/messages", Body("/v1/messages", model), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(text.Length < 1024, $"404 body is {text.Length} characters");
        var totals = app.Tracker.GetRunningTotals();
        Assert.Equal(["-"], totals.Providers.Keys);
        Assert.Equal(["-:-"], totals.Models.Keys);
        Assert.True(Assert.Single(app.Tracker.GetRecentErrors()).RequestedModel.Length < 300);
    }

    [Fact]
    public async Task Post_FiftyThousandUniqueModelNames_AnswersStayBounded()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        const int Requests = 50_000;
        var padding = new string('n', 512);
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;
        var next = -1;
        var statuses = new int[Requests];

        // Every 10th name is routed (and folded into the provider's 'other' bucket once it is full); the rest name an unknown provider.
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Requests)
            {
                var unique = i.ToString(CultureInfo.InvariantCulture);
                var model = i % 10 == 0 ? "fake:" + unique + "-" + padding : "nosuch" + unique + ":model-" + padding;
                using var response = await app.Client.PostAsync("/v1/chat/completions", Body("/v1/chat/completions", model), Ct);
                statuses[i] = (int)response.StatusCode;
            }
        });
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(3), Ct);

        Assert.Equal(Requests / 10, statuses.Count(s => s == 200));
        Assert.Equal(Requests - (Requests / 10), statuses.Count(s => s == 404));
        var totalsJson = await app.Client.GetStringAsync("/metrics/running-totals?format=json", Ct);
        var logsJson = await app.Client.GetStringAsync("/metrics/logs", Ct);
        var rssAfter = Process.GetCurrentProcess().WorkingSet64;
        TestContext.Current.TestOutputHelper?.WriteLine($"RSS {rssBefore / 1048576} MB -> {rssAfter / 1048576} MB; running-totals {totalsJson.Length} chars, logs {logsJson.Length} chars");

        using var totals = JsonDocument.Parse(totalsJson);
        var root = totals.RootElement;
        Assert.Equal(Requests, root.GetProperty("summary").GetProperty("total_requests").GetInt64());
        Assert.Equal(["-", "fake"], root.GetProperty("providers").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Inflight.Tracking.TrackerOptions.DefaultMaxModelsPerProvider + 2, root.GetProperty("models").EnumerateObject().Count());
        Assert.True(totalsJson.Length < 512 * 1024, $"running-totals is {totalsJson.Length} characters");
        Assert.True(logsJson.Length < 1024 * 1024, $"logs is {logsJson.Length} characters");
    }

    private static StringContent Body(string path, string model)
    {
        var json = path == "/v1/messages"
            ? JsonSerializer.Serialize(new { model, max_tokens = 5, messages = new[] { new { role = "user", content = "hi" } } })
            : JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "hi" } } });
        return new StringContent(json, Encoding.UTF8, "application/json");
    }
}
