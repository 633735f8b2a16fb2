using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Inflight.Telemetry;
using Inflight.Tests.Metrics;
using Inflight.Tracking;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inflight.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed partial class PrometheusEndpointTests
{
    private const string Key = "prometheus-test-key";

    [Fact]
    public async Task Scrape_AfterStreamedFailedAndActiveRequests_ServesGenAiMetricsThatPassPromtool()
    {
        await using var factory = MetricsHost.Create(("PROXY_API_KEY", Key));
        var tracker = factory.Tracker();
        var streamed = tracker.Start(Start("demo-fast", streaming: true));
        streamed.MarkFirstByte();
        streamed.ReportUsage(inputTokens: 120, outputTokens: 45);
        streamed.Complete();
        tracker.Start(Start("demo-large")).Fail(ErrorTypes.Timeout, "upstream too slow", 504);
        using var active = tracker.Start(Start("demo-fast", streaming: true));

        var text = await ScrapeAsync(factory);

        Assert.Contains("gen_ai_client_token_usage_bucket{", text, StringComparison.Ordinal);
        Assert.Matches(SeriesLine("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"input\"", "120"), text);
        Assert.Matches(SeriesLine("gen_ai_client_token_usage_sum", "gen_ai_token_type=\"output\"", "45"), text);
        Assert.Matches(SeriesLine("gen_ai_client_operation_duration_seconds_count", "error_type=\"timeout\"", "1"), text);
        Assert.Matches(SeriesLine("gen_ai_client_operation_time_to_first_chunk_seconds_count", "gen_ai_request_model=\"demo-fast\"", "1"), text);
        Assert.Matches(SeriesLine("inflight_requests_active", "inflight_request_phase=\"waiting\"", "1"), text);
        Assert.Contains("gen_ai_operation_name=\"chat\"", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_provider_name=\"demo\"", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_response_model=\"demo-large\"", text, StringComparison.Ordinal);

        // The conventions' bucket advice is applied (the 81.92 s duration bound, the 67108864-token bound).
        Assert.Contains("le=\"81.92\"", text, StringComparison.Ordinal);
        Assert.Contains("le=\"67108864\"", text, StringComparison.Ordinal);

        var (exitCode, output) = await PromtoolCheckAsync(text);
        Assert.True(exitCode == 0, "promtool check metrics failed:\n" + output + "\n" + text);
    }

    [Fact]
    public async Task Scrape_RequestFinishes_ActiveGaugeReturnsToZero()
    {
        await using var factory = MetricsHost.Create();
        var tracker = factory.Tracker();
        var request = tracker.Start(Start("demo-fast"));
        Assert.Matches(SeriesLine("inflight_requests_active", "gen_ai_request_model=\"demo-fast\"", "1"), await ScrapeAsync(factory));

        request.Complete();

        Assert.Matches(SeriesLine("inflight_requests_active", "gen_ai_request_model=\"demo-fast\"", "0"), await ScrapeAsync(factory));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Scrape_ProxyKeySetWithoutValidKey_Returns401(string? key)
    {
        await using var factory = MetricsHost.Create(("PROXY_API_KEY", Key));
        using var client = factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await client.GetAsync(TelemetryExtensions.PrometheusPath, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("unauthorized", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_ClientSendsManyRandomModelNames_SeriesStayBoundedWithOther()
    {
        await using var factory = MetricsHost.Create();
        var tracker = factory.Tracker();
        for (var i = 0; i < TelemetryLabels.MaxAdmittedModels * 3; i++)
        {
            tracker.Start(Start("random-" + Guid.NewGuid().ToString("N"))).Complete();
        }

        tracker.Start(Start("demo-large")).Complete();

        var text = await ScrapeAsync(factory);

        var models = RequestModelOfDurationCount().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(TelemetryLabels.Other, models);
        Assert.Contains("demo-large", models);
        Assert.True(models.Count <= TelemetryLabels.MaxAdmittedModels + 2, $"{models.Count} request-model series");
    }

    private static RequestStart Start(string model, bool streaming = false) => new()
    {
        Provider = "demo",
        RequestedModel = model,
        ResolvedModel = model,
        IsStreaming = streaming,
        ClientFormat = "openai",
        UpstreamFormat = "openai",
    };

    private static async Task<string> ScrapeAsync(WebApplicationFactory<Program> factory)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var response = await client.GetAsync(TelemetryExtensions.PrometheusPath, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A sample line of <paramref name="metric"/> whose labels include <paramref name="label"/> and whose value is <paramref name="value"/>.</summary>
    private static Regex SeriesLine(string metric, string label, string value)
        => new("(?m)^" + Regex.Escape(metric) + "\\{[^}]*" + Regex.Escape(label) + "[^}]*\\} " + Regex.Escape(value) + "( |$)");

    /// <summary>Debian's promtool (package <c>prometheus</c>, installed by test.sh) lints the scrape as Prometheus would read it.</summary>
    private static async Task<(int ExitCode, string Output)> PromtoolCheckAsync(string text)
    {
        using var process = Process.Start(new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex("(?m)^gen_ai_client_operation_duration_seconds_count\\{[^}]*gen_ai_request_model=\"([^\"]*)\"")]
    private static partial Regex RequestModelOfDurationCount();
}
