using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Inflight.Bench;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;

namespace Inflight.Benchmarks;

/// <summary>
/// An OpenAI client's large request (the OpenAI form of the real Claude Code turn in bench/bodies: 77.7 KB, 21 tool
/// schemas, a long system prompt) translated for an Anthropic-format provider: parsed and translated from the bytes,
/// and translated alone on the body the inspector already parsed (the gateway's path).
/// </summary>
[MemoryDiagnoser]
public class OpenAIToAnthropicRequestBenchmarks
{
    private byte[] _body = null!;
    private JsonDocument _parsed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bodies = ClaudeCodeBodies.Load(Path.Combine(AppContext.BaseDirectory, "bodies"));
        _body = ClaudeCodeBodies.ToOpenAI(bodies.FirstTurn, "bench-fast");
        _parsed = RequestInspector.Parse(_body);
        Console.WriteLine($"// OpenAI-format body: {_body.Length:N0} bytes; Anthropic request: {TranslateRequest():N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _parsed.Dispose();

    /// <summary>Parse and translate, as a caller with only the bytes does.</summary>
    [Benchmark]
    public int TranslateRequest() => OpenAIToAnthropicRequest.Translate(_body, new TranslationContext { Model = "claude-sonnet-4-6" }).Length;

    /// <summary>Translate alone, on the body the inspector already parsed (the gateway's path).</summary>
    [Benchmark]
    public int TranslateParsedRequest() => OpenAIToAnthropicRequest.Translate(_parsed.RootElement, new TranslationContext { Model = "claude-sonnet-4-6" }).Length;
}
