namespace Inflight.Protocols.Accounting;

/// <summary>
/// A cheap, allocation-free guess at how many tokens a piece of UTF-8 text is, for the live output
/// estimate shown until the provider reports real usage. It is not a tokenizer and never replaces one.
/// </summary>
/// <remarks>
/// Heuristic, in weight units where one token is <see cref="UnitsPerToken"/> units:
/// an ASCII byte weighs 1 (English prose and code average about 4 bytes per token in the GPT-4o and
/// Claude tokenizers); a 2-byte UTF-8 character (accented Latin, Greek, Cyrillic) weighs 2; a 3-byte
/// character (CJK, most other scripts) weighs 4, about one token each; a 4-byte character (emoji)
/// weighs 8. Continuation bytes weigh nothing. Text taken straight from JSON is weighed in its escaped
/// form: <c>\n</c> counts as two ASCII bytes and <c>\uXXXX</c> as six (1.5 tokens, close for the CJK
/// text that ASCII-only encoders escape) — unescaping would cost more than the error it removes.
/// </remarks>
public static class TokenEstimator
{
    /// <summary>Weight units per estimated token.</summary>
    internal const int UnitsPerToken = 4;

    /// <summary>Estimated tokens in <paramref name="utf8Text"/>, rounded up (empty text is 0 tokens).</summary>
    public static int EstimateTokens(ReadOnlySpan<byte> utf8Text)
        => (int)Math.Min(int.MaxValue, (Weigh(utf8Text) + UnitsPerToken - 1) / UnitsPerToken);

    /// <summary>The weight of <paramref name="utf8Text"/> in units (see the remarks on the type).</summary>
    internal static long Weigh(ReadOnlySpan<byte> utf8Text)
    {
        // Vectorized scan for the common all-ASCII case; only the tail after the first
        // non-ASCII byte is walked byte by byte.
        var firstNonAscii = utf8Text.IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
        if (firstNonAscii < 0)
        {
            return utf8Text.Length;
        }

        long weight = firstNonAscii;
        foreach (var b in utf8Text[firstNonAscii..])
        {
            weight += b switch
            {
                < 0x80 => 1,
                < 0xC0 => 0, // continuation byte
                < 0xE0 => 2,
                < 0xF0 => 4,
                _ => 8,
            };
        }

        return weight;
    }
}
