using BenchmarkDotNet.Attributes;
using Inflight.Protocols;
using Inflight.Protocols.Requests;

namespace Inflight.Benchmarks;

/// <summary>What the gateway does to every request body: inspect it, then swap the model in place.</summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private byte[] _anthropic = null!;
    private byte[] _openAI = null!;

    [GlobalSetup]
    public void Setup()
    {
        _anthropic = SampleBodies.Anthropic();
        _openAI = SampleBodies.OpenAI();
    }

    [Benchmark]
    public RequestSummary InspectAnthropic50KB() => RequestInspector.Inspect(ApiFormat.Anthropic, _anthropic);

    [Benchmark]
    public RequestSummary InspectOpenAI50KB() => RequestInspector.Inspect(ApiFormat.OpenAI, _openAI);

    /// <summary>Model prefix stripped (the common routed case): one copy of the body with a new model value.</summary>
    [Benchmark]
    public int RewriteModelAnthropic50KB() => RequestBodyRewriter.Rewrite(_anthropic, "claude-opus-4-1", addIncludeUsage: false).Length;

    /// <summary>OpenAI stream: new model and <c>stream_options.include_usage</c> added.</summary>
    [Benchmark]
    public int RewriteModelAndUsageOpenAI50KB() => RequestBodyRewriter.Rewrite(_openAI, "gpt-4.1", addIncludeUsage: true).Length;

    /// <summary>Same model as sent: the pass-through case, no copy.</summary>
    [Benchmark]
    public int RewriteUnchangedAnthropic50KB() => RequestBodyRewriter.Rewrite(_anthropic, "claude-sonnet-4-5", addIncludeUsage: false).Length;

    /// <summary>Everything the forwarder does to a body: inspect plus rewrite.</summary>
    [Benchmark]
    public int InspectAndRewriteAnthropic50KB()
    {
        var summary = RequestInspector.Inspect(ApiFormat.Anthropic, _anthropic);
        return RequestBodyRewriter.Rewrite(_anthropic, "claude-opus-4-1", addIncludeUsage: false).Length + summary.MessageCount!.Value;
    }
}
