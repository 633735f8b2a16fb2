using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Inflight.Bench;
using Inflight.Gateway;
using Inflight.Protocols;
using Inflight.Protocols.Accounting;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;

namespace Inflight.Benchmarks;

/// <summary>
/// A real Claude Code turn (77 KB: 21 tools, a long system prompt; bench/bodies) through an OpenAI-format
/// provider, piece by piece as the gateway runs it — inspect, count input tokens (no cache, first turn,
/// repeated turn), translate the request, translate and account the 20-chunk stream — and whole, beside
/// the same-format passthrough of the same conversation in OpenAI format.
/// </summary>
[MemoryDiagnoser]
public class ClaudeCodeTurnBenchmarks
{
    private const int Events = 20;

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private readonly LocalTokenCounter _uncached = LocalTokenCounter.Create(0);
    private readonly LocalTokenCounter _cached = LocalTokenCounter.Create(TokenCountCache.DefaultCapacity);
    private readonly CountingListener _listener = new();
    private byte[] _body = null!;
    private byte[] _nextTurn = null!;
    private byte[] _openAIBody = null!;
    private JsonDocument _parsed = null!;
    private JsonDocument _parsedNextTurn = null!;
    private byte[][] _openAIStream = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bodies = ClaudeCodeBodies.Load(Path.Combine(AppContext.BaseDirectory, "bodies"));
        if (bodies.Adaptation is { } adaptation)
        {
            Console.WriteLine("// " + adaptation);
        }

        _body = bodies.FirstTurn;
        _nextTurn = bodies.NextTurn;

        // What an OpenAI client would send for the same conversation: the passthrough comparison.
        _openAIBody = ClaudeCodeBodies.ToOpenAI(_body, "bench-fast");
        _openAIStream = [.. SampleStreams.OpenAI(Events).Select(Encoding.UTF8.GetBytes)];
        _parsed = RequestInspector.Parse(_body);
        _parsedNextTurn = RequestInspector.Parse(_nextTurn);
        _cached.CountAnthropicRequest(_parsed.RootElement);
        _cached.CountAnthropicRequest(_parsedNextTurn.RootElement);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parsed.Dispose();
        _parsedNextTurn.Dispose();
    }

    [Benchmark]
    public RequestSummary Inspect() => RequestInspector.Inspect(ApiFormat.Anthropic, _body, requireMessages: true);

    /// <summary>The inspector's walk alone, on a body already parsed (what <see cref="Inspect"/> costs beyond the parse).</summary>
    [Benchmark]
    public RequestSummary InspectParsed() => RequestInspector.Inspect(ApiFormat.Anthropic, _parsed, requireMessages: true);

    /// <summary>Parse and translate, as a caller with only the bytes does.</summary>
    [Benchmark]
    public int TranslateRequest() => AnthropicToOpenAIRequest.Translate(_body, new TranslationContext { Model = "bench-fast" }).Length;

    /// <summary>Translate alone, on the body the inspector already parsed (the gateway's path).</summary>
    [Benchmark]
    public int TranslateParsedRequest() => AnthropicToOpenAIRequest.Translate(_parsed.RootElement, new TranslationContext { Model = "bench-fast" }).Length;

    /// <summary>Every block tokenized, nothing remembered (what every request cost before the cache); the counts run on the inspector's parse, as in the gateway.</summary>
    [Benchmark]
    public int CountTokensNoCache() => _uncached.CountAnthropicRequest(_parsed.RootElement);

    /// <summary>A conversation's first turn on a gateway that has seen nothing (the cache emptied first).</summary>
    [Benchmark]
    public int CountTokensFirstTurnEmptyCache()
    {
        _cached.ClearCache();
        var count = _cached.CountAnthropicRequest(_parsed.RootElement);

        // Leave the cache as the other benchmarks expect it.
        _cached.CountAnthropicRequest(_parsedNextTurn.RootElement);
        return count;
    }

    /// <summary>The same turn again, or the next one after it was seen (every block a hit).</summary>
    [Benchmark]
    public int CountTokensWarmCache() => _cached.CountAnthropicRequest(_parsedNextTurn.RootElement);

    /// <summary>The gateway's stream transform (SSE parsing + OpenAI → Anthropic events), per upstream chunk.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int TranslateStreamPerChunk()
    {
        _output.ResetWrittenCount();
        using var transform = new StreamTranslationTransform(ApiFormat.Anthropic, ApiFormat.OpenAI, new TranslationContext { Model = "bench-fast", EstimatedInputTokens = 20_000 });
        foreach (var chunk in _openAIStream)
        {
            transform.Write(chunk, _output);
        }

        transform.Complete(_output);
        return _output.WrittenCount;
    }

    /// <summary>Usage accounting on the upstream's OpenAI chunks (the same on both paths), per chunk.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int AccountStreamPerChunk()
    {
        using var accountant = StreamAccountant.Create(ApiFormat.OpenAI, _listener);
        foreach (var chunk in _openAIStream)
        {
            accountant.Feed(chunk);
        }

        return _listener.Tokens;
    }

    /// <summary>The gateway's own work on a translated turn, repeated conversation (warm cache): everything but HTTP.</summary>
    [Benchmark]
    public int TranslatedTurnWarmCache() => TranslatedTurn(_nextTurn);

    /// <summary>The same for a conversation's first turn on a gateway that has seen nothing.</summary>
    [Benchmark]
    public int TranslatedTurnFirstTurnEmptyCache()
    {
        _cached.ClearCache();
        AnthropicToOpenAIRequest.ToolLists.Clear();
        var written = TranslatedTurn(_body);
        _cached.CountAnthropicRequest(_parsedNextTurn.RootElement);
        return written;
    }

    /// <summary>The same-format passthrough of the same conversation (OpenAI client, OpenAI provider): inspect, rewrite the model, relay and account 20 chunks.</summary>
    [Benchmark(Baseline = true)]
    public int PassthroughTurn()
    {
        var summary = RequestInspector.Inspect(ApiFormat.OpenAI, _openAIBody, requireMessages: true);
        var upstream = RequestBodyRewriter.Rewrite(_openAIBody, "bench-upstream", addIncludeUsage: !summary.IncludeUsageRequested);
        _output.ResetWrittenCount();
        using var transform = new PassThroughTransform(ApiFormat.OpenAI, hideUsageChunk: true);
        using var accountant = StreamAccountant.Create(ApiFormat.OpenAI, _listener);
        foreach (var chunk in _openAIStream)
        {
            accountant.Feed(chunk);
            transform.Write(chunk, _output);
        }

        transform.Complete(_output);
        return upstream.Length + _output.WrittenCount;
    }

    private int TranslatedTurn(byte[] body)
    {
        // As the gateway runs it: one parse for the inspector, the token count and the translator.
        RequestSummary summary;
        TranslationContext context;
        using var upstream = new PooledBufferWriter(body.Length + 1024);
        using (var parsed = RequestInspector.Parse(body))
        {
            summary = RequestInspector.Inspect(ApiFormat.Anthropic, parsed, requireMessages: true);
            context = new TranslationContext
            {
                Model = "bench-upstream",
                ResponseModel = "bench-fast",
                EstimatedInputTokens = _cached.CountAnthropicRequest(parsed.RootElement),
            };
            AnthropicToOpenAIRequest.Translate(parsed.RootElement, context, upstream);
        }

        _output.ResetWrittenCount();
        using var transform = new StreamTranslationTransform(ApiFormat.Anthropic, ApiFormat.OpenAI, context);
        using var accountant = StreamAccountant.Create(ApiFormat.OpenAI, _listener);
        foreach (var chunk in _openAIStream)
        {
            accountant.Feed(chunk);
            transform.Write(chunk, _output);
        }

        transform.Complete(_output);
        return upstream.WrittenCount + _output.WrittenCount + summary.MessageCount!.Value;
    }

    private sealed class CountingListener : IUsageListener
    {
        public int Tokens { get; private set; }

        public void OnOutputTokensEstimated(int tokens) => Tokens += tokens;

        public void OnUsage(UsageReport usage) => Tokens++;

        public void OnToolCall() => Tokens++;
    }
}
