using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Inflight.Protocols.Sse;
using Inflight.Protocols.Translation;

namespace Inflight.Benchmarks;

/// <summary>
/// Cross-format traffic: streams translated chunk by chunk as they are parsed (every direction, per
/// chunk, Responses clients included), and a Claude Code-sized request body translated from Anthropic to OpenAI.
/// </summary>
[MemoryDiagnoser]
public class TranslationBenchmarks
{
    private const int Events = 20;

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private byte[][] _anthropic = null!;
    private byte[][] _openAI = null!;
    private byte[] _anthropicRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _anthropic = [.. SampleStreams.Anthropic(Events).Select(Encoding.UTF8.GetBytes)];
        _openAI = [.. SampleStreams.OpenAI(Events).Select(Encoding.UTF8.GetBytes)];
        _anthropicRequest = SampleBodies.Anthropic();
    }

    /// <summary>An OpenAI provider's stream to an Anthropic client (Claude Code on an OpenAI model).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int OpenAIToAnthropicPerChunk()
    {
        _output.ResetWrittenCount();
        using var reader = new SseEventReader();
        using var translator = new OpenAIToAnthropicStreamTranslator(new TranslationContext { Model = "gpt-4o-mini", EstimatedInputTokens = 100 }, _output);
        foreach (var chunk in _openAI)
        {
            reader.Feed(chunk, translator);
        }

        translator.Complete();
        return _output.WrittenCount;
    }

    /// <summary>An Anthropic provider's stream to an OpenAI client.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int AnthropicToOpenAIPerChunk()
    {
        _output.ResetWrittenCount();
        using var reader = new SseEventReader();
        using var translator = new AnthropicToOpenAIStreamTranslator(new TranslationContext { Model = "claude-sonnet-4-5" }, _output);
        foreach (var chunk in _anthropic)
        {
            reader.Feed(chunk, translator);
        }

        translator.Complete();
        return _output.WrittenCount;
    }

    /// <summary>An OpenAI provider's stream to a Responses client (Codex on a Chat Completions model).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int OpenAIToResponsesPerChunk()
    {
        _output.ResetWrittenCount();
        using var reader = new SseEventReader();
        using var translator = new OpenAIToResponsesStreamTranslator(new TranslationContext { Model = "gpt-4o-mini" }, _output);
        foreach (var chunk in _openAI)
        {
            reader.Feed(chunk, translator);
        }

        translator.Complete();
        return _output.WrittenCount;
    }

    /// <summary>An Anthropic provider's stream to a Responses client (Codex on a Claude model).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int AnthropicToResponsesPerChunk()
    {
        _output.ResetWrittenCount();
        using var reader = new SseEventReader();
        using var translator = new AnthropicToResponsesStreamTranslator(new TranslationContext { Model = "claude-sonnet-4-5" }, _output);
        foreach (var chunk in _anthropic)
        {
            reader.Feed(chunk, translator);
        }

        translator.Complete();
        return _output.WrittenCount;
    }

    [Benchmark]
    public int AnthropicRequestToOpenAI50KB()
        => AnthropicToOpenAIRequest.Translate(_anthropicRequest, new TranslationContext { Model = "gpt-4o-mini" }).Length;
}
