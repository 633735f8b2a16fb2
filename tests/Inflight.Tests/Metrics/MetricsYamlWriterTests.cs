using Inflight.Metrics;
using Inflight.Tracking;
using Microsoft.Extensions.Time.Testing;
using YamlDotNet.RepresentationModel;

namespace Inflight.Tests.Metrics;

public sealed class MetricsYamlWriterTests
{
    [Theory]
    [InlineData("openai:gpt-4o")]
    [InlineData("we\"ird\\name")]
    [InlineData("line\nbreak: and # hash")]
    [InlineData("tab\tand\u0001control")]
    [InlineData("- dash, [bracket] {brace} &anchor *alias !tag %pct @at `tick` 'quote'")]
    public void Write_AwkwardNames_RoundTripThroughYamlParser(string model)
    {
        var tracker = new RequestTracker(new FakeTimeProvider());
        tracker.Start(new RequestStart { Provider = "p", RequestedModel = model, ResolvedModel = model, ClientFormat = "openai", UpstreamFormat = "openai" }).Complete();

        var yaml = MetricsYamlWriter.Write(tracker.GetRunningTotals());

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var models = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("models")];
        var key = Assert.IsType<YamlScalarNode>(Assert.Single(models.Children).Key);
        Assert.Equal("p:" + model, key.Value);
    }

    [Fact]
    public void Write_NoTraffic_EmptyMapsAndZeroes()
    {
        var tracker = new RequestTracker(new FakeTimeProvider());

        var yaml = MetricsYamlWriter.Write(tracker.GetRunningTotals());

        Assert.Contains("providers: {}\n", yaml, StringComparison.Ordinal);
        Assert.Contains("models: {}\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  total_requests: 0\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  average_ttft_ms: null\n", yaml, StringComparison.Ordinal);
    }
}
