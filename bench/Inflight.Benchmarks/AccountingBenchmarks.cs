using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Inflight.Protocols;
using Inflight.Protocols.Accounting;

namespace Inflight.Benchmarks;

/// <summary>
/// What the gateway does beside each streamed chunk: token accounting (each format), the filter that
/// hides the injected OpenAI usage chunk, and reading usage from a non-streamed answer. Per chunk.
/// </summary>
[MemoryDiagnoser]
public class AccountingBenchmarks
{
    private const int Events = 20;

    private static readonly byte[] s_openAIResponse = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}""");

    private static readonly byte[] s_anthropicResponse = Encoding.UTF8.GetBytes(
        """{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello! How can I help?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"output_tokens":9}}""");

    private static readonly byte[] s_responsesResponse = Encoding.UTF8.GetBytes(
        """{"id":"resp_1","object":"response","created_at":1764547200,"status":"completed","model":"gpt-5.1-codex","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello! How can I help?","annotations":[]}]}],"usage":{"input_tokens":19,"input_tokens_details":{"cached_tokens":0},"output_tokens":10,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":29}}""");

    private readonly NullListener _listener = new();
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private byte[][] _anthropic = null!;
    private byte[][] _openAI = null!;
    private byte[][] _responses = null!;

    [GlobalSetup]
    public void Setup()
    {
        _anthropic = [.. SampleStreams.Anthropic(Events).Select(Encoding.UTF8.GetBytes)];
        _openAI = [.. SampleStreams.OpenAI(Events).Select(Encoding.UTF8.GetBytes)];
        _responses = [.. SampleStreams.Responses(Events).Select(Encoding.UTF8.GetBytes)];
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void AccountAnthropicPerChunk()
    {
        using var accountant = StreamAccountant.Create(ApiFormat.Anthropic, _listener);
        foreach (var chunk in _anthropic)
        {
            accountant.Feed(chunk);
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void AccountOpenAIPerChunk()
    {
        using var accountant = StreamAccountant.Create(ApiFormat.OpenAI, _listener);
        foreach (var chunk in _openAI)
        {
            accountant.Feed(chunk);
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void AccountResponsesPerChunk()
    {
        using var accountant = StreamAccountant.Create(ApiFormat.Responses, _listener);
        foreach (var chunk in _responses)
        {
            accountant.Feed(chunk);
        }
    }

    /// <summary>Hiding the usage chunk the gateway asked for from a client that did not.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int FilterOpenAIUsagePerChunk()
    {
        _output.ResetWrittenCount();
        using var filter = new OpenAIUsageChunkFilter();
        foreach (var chunk in _openAI)
        {
            filter.Filter(chunk, _output);
        }

        filter.Complete(_output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public void ReadUsageOpenAIResponse() => ResponseUsageReader.Read(ApiFormat.OpenAI, s_openAIResponse, _listener);

    [Benchmark]
    public void ReadUsageResponsesResponse() => ResponseUsageReader.Read(ApiFormat.Responses, s_responsesResponse, _listener);

    [Benchmark]
    public void ReadUsageAnthropicResponse() => ResponseUsageReader.Read(ApiFormat.Anthropic, s_anthropicResponse, _listener);

    private sealed class NullListener : IUsageListener
    {
        public int Tokens { get; private set; }

        public void OnOutputTokensEstimated(int tokens) => Tokens += tokens;

        public void OnUsage(UsageReport usage) => Tokens++;

        public void OnToolCall() => Tokens++;
    }
}
