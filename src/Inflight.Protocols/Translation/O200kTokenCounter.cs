using Microsoft.ML.Tokenizers;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Counts o200k_base tokens exactly as Microsoft.ML.Tokenizers' tokenizer for that encoding does, several times
/// faster: the text is split by <see cref="O200kPreTokenizer"/> (the library's regular expression, hand-written),
/// and each piece's count is remembered in a lock-free table (<see cref="PieceCountTable"/>), so only a piece not seen before goes to the library
/// (which byte-pair encodes it, without splitting it again).
/// </summary>
/// <remarks>
/// <para>
/// Why not the library's own piece cache: it is an LRU of 8,192 pieces behind a lock that every lookup takes, and
/// reaching it costs a full <see cref="Tokenizer.CountTokens(ReadOnlySpan{char}, bool, bool)"/> call per piece
/// (~130 ns; a Claude Code request has ~16,000 pieces, nearly all of them already in that cache).
/// </para>
/// <para>
/// Bounded by entries: pieces of up to <see cref="MaxCachedPieceLength"/> characters, at most
/// <see cref="DefaultCapacity"/> of them (1.5 MB of slots, allocated with the table, plus the characters of pieces longer than eight). When it fills up it starts over, rather
/// than paying for recency bookkeeping on every lookup; the words in use come back within a request or two.
/// </para>
/// <para>
/// A special token counts as one token. (The library counts one too, as long as its LRU still holds the token's
/// entry, which it seeds at creation; once evicted, it would byte-pair encode the token's characters instead.)
/// </para>
/// </remarks>
internal sealed class O200kTokenCounter
{
    /// <summary>A table of 1.5 MB; a Claude Code request has ~3,200 distinct pieces.</summary>
    public const int DefaultCapacity = 32_768;

    /// <summary>Longer pieces (long runs of whitespace or symbols, base64) are rare and mostly unique.</summary>
    public const int MaxCachedPieceLength = PieceCountTable.MaxPieceLength;

    private readonly Tokenizer _tokenizer;
    private readonly PieceCountTable _pieces;

    public O200kTokenCounter(Tokenizer tokenizer, int capacity)
    {
        _tokenizer = tokenizer;
        _pieces = new PieceCountTable(capacity);
    }

    /// <summary>The counter over the library's o200k_base tokenizer (loads the vocabulary: about 100 ms).</summary>
    public static O200kTokenCounter Create() => new(TiktokenTokenizer.CreateForEncoding("o200k_base"), DefaultCapacity);

    /// <summary>Pieces whose count is remembered.</summary>
    public int Entries => _pieces.Count;

    public int Count(ReadOnlySpan<char> text)
    {
        var total = 0;
        foreach (var (start, length, special) in O200kPreTokenizer.Split(text))
        {
            // A special token, and a piece of one ASCII character (every byte is a token of its own), count one.
            total += special || (length == 1 && text[start] < 0x80) ? 1 : CountPiece(text, start, length);
        }

        return total;
    }

    /// <summary>Forgets every piece, as a new process would start (benchmarks).</summary>
    public void Clear() => _pieces.Clear();

    /// <summary>One piece of the pre-tokenizer's split: from the table, else from the library (and then kept).</summary>
    internal int CountPiece(ReadOnlySpan<char> text, int start, int length)
    {
        if (_pieces.TryGet(text, start, length, out var count))
        {
            return count;
        }

        var piece = text.Slice(start, length);
        count = _tokenizer.CountTokens(piece, considerPreTokenization: false);
        _pieces.Add(piece, count);
        return count;
    }
}
