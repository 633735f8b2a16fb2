using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Inflight.Protocols.Sse;
using Inflight.Protocols.Translation;

namespace Inflight.Benchmarks;

/// <summary>
/// Stream translation per upstream chunk, every direction, on a realistic 20-event agent turn (text, one
/// tool call with argument fragments, stop reason and usage: <see cref="SampleToolStreams"/>). Each
/// operation is one chunk; a stream's setup (translator, reader, ids) is spread over its 20 chunks.
/// </summary>
[MemoryDiagnoser]
public class StreamTranslationBenchmarks
{
    private const int Events = SampleToolStreams.Events;

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private byte[][] _openAI = null!;
    private byte[][] _anthropic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _openAI = [.. SampleToolStreams.OpenAI().Select(Encoding.UTF8.GetBytes)];
        _anthropic = [.. SampleToolStreams.Anthropic().Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>Claude Code on an OpenAI-format provider.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int OpenAIToAnthropic()
    {
        using var translator = new OpenAIToAnthropicStreamTranslator(Context("gpt-4.1"), _output);
        Feed(_openAI, translator);
        translator.Complete();
        return _output.WrittenCount;
    }

    /// <summary>Codex on an OpenAI Chat Completions provider.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int OpenAIToResponses()
    {
        using var translator = new OpenAIToResponsesStreamTranslator(Context("gpt-4.1"), _output);
        Feed(_openAI, translator);
        translator.Complete();
        return _output.WrittenCount;
    }

    /// <summary>Codex on an Anthropic provider.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int AnthropicToResponses()
    {
        using var translator = new AnthropicToResponsesStreamTranslator(Context("claude-sonnet-4-5"), _output);
        Feed(_anthropic, translator);
        translator.Complete();
        return _output.WrittenCount;
    }

    /// <summary>An OpenAI-format client on an Anthropic provider.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int AnthropicToOpenAI()
    {
        using var translator = new AnthropicToOpenAIStreamTranslator(Context("claude-sonnet-4-5"), _output);
        Feed(_anthropic, translator);
        translator.Complete();
        return _output.WrittenCount;
    }

    private static TranslationContext Context(string model) => new() { Model = model, EstimatedInputTokens = 17647 };

    private void Feed(byte[][] chunks, ISseEventHandler translator)
    {
        _output.ResetWrittenCount();
        using var reader = new SseEventReader();
        foreach (var chunk in chunks)
        {
            reader.Feed(chunk, translator);
        }
    }
}
