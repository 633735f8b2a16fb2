using BenchmarkDotNet.Attributes;
using Inflight.Protocols.Translation;

namespace Inflight.Benchmarks;

/// <summary>
/// A real Codex CLI 0.171.0 request (about 38 KB: its system prompt, a dozen tools with schemas, a tool
/// round trip with a thinking envelope), recorded by the protocol tests, translated for a Chat Completions
/// and for an Anthropic provider: the cost every Codex turn pays on a translated provider.
/// </summary>
[MemoryDiagnoser]
public class ResponsesRequestBenchmarks
{
    private byte[] _codexRequest = null!;

    [GlobalSetup]
    public void Setup()
        => _codexRequest = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Recordings", "codex-0.171.0-responses.json"));

    [Benchmark]
    public int CodexRequestToChat()
        => ResponsesToOpenAIRequest.Translate(_codexRequest, new TranslationContext { Model = "gpt-5.5" }).Length;

    [Benchmark]
    public int CodexRequestToAnthropic()
        => ResponsesToAnthropicRequest.Translate(_codexRequest, new TranslationContext { Model = "claude-sonnet-4-6" }).Length;
}
