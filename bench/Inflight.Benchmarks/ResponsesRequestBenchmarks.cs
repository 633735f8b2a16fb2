using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Inflight.Protocols;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;

namespace Inflight.Benchmarks;

/// <summary>
/// A real Codex CLI 0.171.0 request (about 38 KB: its system prompt, a dozen tools with schemas, a tool
/// round trip with a thinking envelope), recorded by the protocol tests, translated for a Chat Completions
/// and for an Anthropic provider: the cost every Codex turn pays on a translated provider. <c>--cpu
/// ResponsesRequestBenchmarks</c> gives the CPU time and allocation per request.
/// </summary>
[MemoryDiagnoser]
public class ResponsesRequestBenchmarks
{
    private byte[] _codexRequest = null!;
    private JsonDocument _parsed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _codexRequest = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Recordings", "codex-0.171.0-responses.json"));
        _parsed = RequestInspector.Parse(_codexRequest);
    }

    [GlobalCleanup]
    public void Cleanup() => _parsed.Dispose();

    /// <summary>Parse and translate, as a caller with only the bytes does.</summary>
    [Benchmark]
    public int CodexRequestToChat()
        => ResponsesToOpenAIRequest.Translate(_codexRequest, new TranslationContext { Model = "gpt-5.5" }).Length;

    /// <summary>Translate alone, on the body the inspector already parsed (the gateway's path).</summary>
    [Benchmark]
    public int CodexRequestToChatParsed()
        => ResponsesToOpenAIRequest.Translate(_parsed.RootElement, new TranslationContext { Model = "gpt-5.5" }).Length;

    /// <summary>What the gateway does with the body before it goes upstream: parse, inspect, translate.</summary>
    [Benchmark]
    public int CodexRequestInspectAndTranslateToChat()
    {
        using var parsed = RequestInspector.Parse(_codexRequest);
        var summary = RequestInspector.Inspect(ApiFormat.Responses, parsed, requireMessages: true);
        return ResponsesToOpenAIRequest.Translate(parsed.RootElement, new TranslationContext { Model = "gpt-5.5" }).Length + (summary.MessageCount ?? 0);
    }

    [Benchmark]
    public int CodexRequestToAnthropic()
        => ResponsesToAnthropicRequest.Translate(_codexRequest, new TranslationContext { Model = "claude-sonnet-4-6" }).Length;

    /// <summary>Translate alone, on the body the inspector already parsed (the gateway's path).</summary>
    [Benchmark]
    public int CodexRequestToAnthropicParsed()
        => ResponsesToAnthropicRequest.Translate(_parsed.RootElement, new TranslationContext { Model = "claude-sonnet-4-6" }).Length;
}
