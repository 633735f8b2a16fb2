using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Inflight.Bench;
using Inflight.Protocols.Translation;
using Microsoft.ML.Tokenizers;

namespace Inflight.Benchmarks;

/// <summary>
/// Where a cold token count's time goes, on the texts of the real Claude Code first turn (bench/bodies: the
/// system blocks, each tool's name, description and compact schema, each message text; ~17,600 tokens):
/// splitting the text into pieces (o200k's regex pre-tokenizer, or the hand-written scanner), turning the
/// pieces into tokens (Microsoft.ML.Tokenizers' piece cache, vocabulary lookup, byte-pair merges), and both.
/// </summary>
[MemoryDiagnoser]
public class O200kTokenizerBenchmarks
{
    private readonly Tokenizer _library = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private readonly Tokenizer _scanning = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private readonly PreTokenizer _regex = TiktokenTokenizer.CreateForEncoding("o200k_base").PreTokenizer!;
    private string[] _texts = null!;
    private string[] _pieces = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bodies = ClaudeCodeBodies.Load(Path.Combine(AppContext.BaseDirectory, "bodies"));
        _texts = [.. Texts(JsonNode.Parse(bodies.FirstTurn)!.AsObject())];
        _pieces = [.. _texts.SelectMany(text => _regex.PreTokenize(text).Select(split => text.Substring(split.Offset, split.Length)))];
        var tokens = _texts.Sum(text => _library.CountTokens(text));
        var chars = _texts.Sum(text => text.Length);
        var singleToken = _pieces.Count(piece => _library.CountTokens(piece, considerPreTokenization: false) == 1);
        var cacheable = _pieces.Count(piece => piece.Length <= 15);
        Console.WriteLine($"// {_texts.Length} texts, {chars:N0} chars, {tokens:N0} tokens, {_pieces.Length:N0} pieces ({_pieces.Distinct(StringComparer.Ordinal).Count():N0} distinct; {singleToken:N0} one token each; {cacheable:N0} of <= 15 chars, the library's piece-cache limit)");
    }

    /// <summary>Splitting only: the library's o200k regex pre-tokenizer.</summary>
    [Benchmark(Baseline = true)]
    public int PreTokenizeRegex() => Split(_regex);

    /// <summary>Splitting only: the hand-written scanner (O200kPreTokenizer).</summary>
    [Benchmark]
    public int PreTokenizeScanner() => Split(_regex);

    /// <summary>Encoding only: every piece counted without pre-tokenization (piece cache, vocabulary lookup, merges).</summary>
    [Benchmark]
    public int EncodePieces()
    {
        var count = 0;
        foreach (var piece in _pieces)
        {
            count += _library.CountTokens(piece, considerPreTokenization: false);
        }

        return count;
    }

    /// <summary>Both, as the counter ran before: the library's tokenizer with its regex.</summary>
    [Benchmark]
    public int CountTokensRegex() => Count(_library);

    /// <summary>Both, as the counter runs now: the same vocabulary with the scanner.</summary>
    [Benchmark]
    public int CountTokensScanner() => Count(_scanning);

    private int Split(PreTokenizer preTokenizer)
    {
        var length = 0;
        foreach (var text in _texts)
        {
            foreach (var (_, pieceLength) in preTokenizer.PreTokenize(text))
            {
                length += pieceLength;
            }
        }

        return length;
    }

    private int Count(Tokenizer tokenizer)
    {
        var count = 0;
        foreach (var text in _texts)
        {
            count += tokenizer.CountTokens(text);
        }

        return count;
    }

    /// <summary>The strings the counter tokenizes in a Claude Code request.</summary>
    private static IEnumerable<string> Texts(JsonObject request)
    {
        if (request["system"] is JsonArray system)
        {
            foreach (var block in system)
            {
                yield return (string)block!["text"]!;
            }
        }

        foreach (var tool in request["tools"]?.AsArray() ?? [])
        {
            yield return (string)tool!["name"]!;
            yield return (string)tool["description"]!;
            yield return JsonOutput.ToCompactString(tool["input_schema"]);
        }

        foreach (var message in request["messages"]!.AsArray())
        {
            foreach (var block in message!["content"]!.AsArray())
            {
                if (block!["text"] is { } text)
                {
                    yield return (string)text!;
                }
            }
        }
    }
}
