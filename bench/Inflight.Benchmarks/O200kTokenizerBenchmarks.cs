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
/// pieces into tokens (Microsoft.ML.Tokenizers' piece cache, vocabulary lookup, byte-pair merges, or the counter's
/// piece table), both, and the whole request as the counter walks it.
/// </summary>
[MemoryDiagnoser]
public class O200kTokenizerBenchmarks
{
    private readonly Tokenizer _library = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private readonly O200kTokenCounter _scanning = O200kTokenCounter.Create();
    private readonly O200kTokenCounter _emptied = O200kTokenCounter.Create();
    private readonly LocalTokenCounter _request = LocalTokenCounter.Create(0);
    private readonly PreTokenizer _regex = TiktokenTokenizer.CreateForEncoding("o200k_base").PreTokenizer!;
    private string[] _texts = null!;
    private string[] _pieces = null!;
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bodies = ClaudeCodeBodies.Load(Path.Combine(AppContext.BaseDirectory, "bodies"));
        _body = bodies.FirstTurn;
        _texts = [.. Texts(JsonNode.Parse(_body)!.AsObject())];
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

    /// <summary>Splitting only: the hand-written scanner (<see cref="O200kPreTokenizer"/>).</summary>
    [Benchmark]
    public int PreTokenizeScanner()
    {
        var length = 0;
        foreach (var text in _texts)
        {
            foreach (var (_, pieceLength, _) in O200kPreTokenizer.Split(text))
            {
                length += pieceLength;
            }
        }

        return length;
    }

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

    /// <summary>Looking up only: every piece's count from the counter's warm piece table, without splitting (each piece a string of its own, so a little slower than within a text).</summary>
    [Benchmark]
    public int LookUpPieces()
    {
        var count = 0;
        foreach (var piece in _pieces)
        {
            count += _scanning.CountPiece(piece, 0, piece.Length);
        }

        return count;
    }

    /// <summary>Both, as the counter ran before: the library's tokenizer with its regex.</summary>
    [Benchmark]
    public int CountTokensRegex() => Count(_library);

    /// <summary>Both, as the counter runs now: the scanner, and each piece's count from the piece table.</summary>
    [Benchmark]
    public int CountTokensScanner() => Count(_scanning);

    /// <summary>The same on an empty piece table (a new process; the library's own piece cache stays warm).</summary>
    [Benchmark]
    public int CountTokensScannerEmptyTable()
    {
        _emptied.Clear();
        return Count(_emptied);
    }

    /// <summary>The whole request without the block cache (walk the body, parse each block, count its texts): the counter's own work is this minus <see cref="CountTokensScanner"/>.</summary>
    [Benchmark]
    public int CountRequestNoBlockCache() => _request.CountAnthropicRequest(_body);

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

    private int Count(O200kTokenCounter counter)
    {
        var count = 0;
        foreach (var text in _texts)
        {
            count += counter.Count(text);
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
