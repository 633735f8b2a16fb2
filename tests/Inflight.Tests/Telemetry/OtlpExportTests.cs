using System.Text;
using Inflight.Testing;
using Inflight.Tests.Metrics;
using Inflight.Tracking;

namespace Inflight.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Request_OtlpEndpointSet_CollectorReceivesChatSpanAndGenAiMetrics()
    {
        await using var collector = await FakeUpstream.StartAsync(static (context, _) =>
        {
            context.Response.ContentType = "application/x-protobuf";
            return Task.CompletedTask;
        });
        var factory = MetricsHost.Create(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.BaseUrl.ToString()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        await using (factory)
        {
            var request = factory.Tracker().Start(new RequestStart
            {
                Provider = "demo",
                RequestedModel = "otlp-model",
                ResolvedModel = "otlp-model",
                IsStreaming = true,
                ClientFormat = "anthropic",
                UpstreamFormat = "openai",
            });
            request.MarkFirstByte();
            request.ReportUsage(inputTokens: 321, outputTokens: 54, cacheReadTokens: 200);
            request.Complete();

            // Still in flight when the host stops: the final export carries it in inflight.requests.active.
            _ = factory.Tracker().Start(new RequestStart
            {
                Provider = "demo",
                RequestedModel = "otlp-model",
                ResolvedModel = "otlp-model",
                ClientFormat = "openai",
                UpstreamFormat = "openai",
            });
        }

        // Disposing the host flushes both exporters, so everything has arrived by now.
        var traces = Bodies(collector, "/v1/traces");
        var metrics = Bodies(collector, "/v1/metrics");
        Assert.True(traces.Contains("chat otlp-model", StringComparison.Ordinal), "collector saw: " + string.Join(", ", collector.Requests.Select(r => r.PathAndQuery + " " + r.Body.Length)));
        foreach (var attribute in new[] { "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.response.time_to_first_chunk" })
        {
            Assert.Contains(attribute, traces, StringComparison.Ordinal);
        }

        foreach (var metric in new[] { "gen_ai.client.token.usage", "gen_ai.client.operation.duration", "gen_ai.client.operation.time_to_first_chunk", "inflight.requests.active" })
        {
            Assert.Contains(metric, metrics, StringComparison.Ordinal);
        }
    }

    /// <summary>The protobuf bodies posted to <paramref name="path"/>, read as text: names and string values appear in them as UTF-8.</summary>
    private static string Bodies(FakeUpstream collector, string path)
    {
        var text = new StringBuilder();
        lock (collector.Requests)
        {
            foreach (var request in collector.Requests.Where(r => r.PathAndQuery == path))
            {
                text.Append(request.Body);
            }
        }

        return text.ToString();
    }
}
