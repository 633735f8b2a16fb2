using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Splits text into the pieces OpenAI's o200k_base encoding tokenizes one by one, exactly as Microsoft.ML.Tokenizers'
/// own pre-tokenizer for that encoding does (its regular expression, and its special tokens split out first), but as
/// a hand-written scanner: about 8× faster than the regular expression, and without allocating.
/// </summary>
/// <remarks>
/// <para>
/// The expression (tiktoken's <c>o200k_base</c> pattern, as the library compiles it with .NET's backtracking engine):
/// <code>
/// A1  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// A2 |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// A3 |\p{N}{1,3}
/// A4 | ?[^\s\p{L}\p{N}]+[\r\n/]*
/// A5 |\s*[\r\n]+
/// A6 |\s+(?!\S)
/// A7 |\s+
/// </code>
/// Each alternative below reproduces what the engine's backtracking returns, not just what the pattern could
/// match: the first alternative that matches wins, and within it the greedy choices are tried longest first.
/// </para>
/// <para>
/// .NET's engine works on UTF-16 code units, so the classes are too: a surrogate pair is two characters of
/// category <see cref="UnicodeCategory.Surrogate"/> (neither letter nor number: punctuation-like), and
/// <c>\s</c> is <see cref="char.IsWhiteSpace(char)"/>. Every position starts some alternative, so the pieces
/// cover the text with no gaps.
/// </para>
/// <para>
/// Special tokens (<c>&lt;|endoftext|&gt;</c>, <c>&lt;|endofprompt|&gt;</c>) are split out before the
/// expression runs, and the expression then runs on the text between them on its own (so <c>(?!\S)</c> sees the
/// end of that stretch, not the special token after it), as the library does.
/// </para>
/// </remarks>
internal static class O200kPreTokenizer
{
    /// <summary>The special tokens of o200k_base as the library registers them (each counts as one token).</summary>
    public static readonly string[] SpecialTokens = ["<|endoftext|>", "<|endofprompt|>"];

    private const string SpecialPrefix = "<|endof";

    // Character classes, one bit each; a character's bits come from a table covering all of UTF-16.
    private const byte Upper = 1;       // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
    private const byte Lower = 2;       // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
    private const byte Letter = 4;      // \p{L}
    private const byte Number = 8;      // \p{N}
    private const byte Space = 16;      // \s
    private const byte LineBreak = 32;  // [\r\n]

    private static readonly byte[] s_classes = BuildClasses();

    /// <summary>The pieces of <paramref name="text"/>, in order.</summary>
    public static Enumerator Split(ReadOnlySpan<char> text) => new(text);

    /// <summary>
    /// The end of the piece that starts at <paramref name="start"/> in the <paramref name="length"/> characters at
    /// <paramref name="text"/> (a stretch without special tokens, which the expression sees as the whole input).
    /// </summary>
    /// <remarks>
    /// The scan reads the text through a reference rather than a span, and the class table without bounds checks:
    /// every read of the text is at an index already compared with <paramref name="length"/>, and the table covers
    /// every UTF-16 code unit.
    /// </remarks>
    private static int PieceEnd(ref char text, int length, int start)
    {
        // The commonest pieces first: a lower-case ASCII word, alone or after a space (A1 without its upper-case run).
        var c = At(ref text, start);
        if (IsAsciiLower(c))
        {
            return ContractionEnd(ref text, length, LowerRunEnd(ref text, length, start + 1));
        }

        if (c == ' ' && start + 1 < length && IsAsciiLower(At(ref text, start + 1)))
        {
            return ContractionEnd(ref text, length, LowerRunEnd(ref text, length, start + 2));
        }

        var first = ClassOf(c);

        // Words (A1, then A2), the most common piece, starting at a letter...
        if ((first & Letter) != 0)
        {
            var end = WordWithLowerRun(ref text, length, start);
            return end >= 0 ? end : WordWithUpperRun(ref text, length, start);
        }

        if ((first & (Number | LineBreak)) == 0)
        {
            // ...or after one character that is not a line break, letter or number (typically a space). That leading
            // character is taken if the rest can match (A1, then A2, from the next character);
            // between the two, A1 may also start at the character itself, which matters only for a combining mark,
            // the one such character that is also in the letter classes (and for which it always matches).
            var next = start + 1 < length ? ClassOf(At(ref text, start + 1)) : (byte)0;
            if ((next & (Upper | Lower)) != 0)
            {
                var end = WordWithLowerRun(ref text, length, start + 1);
                if (end >= 0)
                {
                    return end;
                }
            }

            if ((first & Upper) != 0)
            {
                return WordWithLowerRun(ref text, length, start);
            }

            if ((next & Upper) != 0)
            {
                return WordWithUpperRun(ref text, length, start + 1);
            }
        }

        if ((first & Number) != 0)
        {
            // A3: one to three digits.
            var end = start + 1;
            while (end < length && end < start + 3 && (ClassOf(At(ref text, end)) & Number) != 0)
            {
                end++;
            }

            return end;
        }

        if ((first & Space) == 0 || (c == ' ' && start + 1 < length && IsSymbol(At(ref text, start + 1))))
        {
            // A4: an optional space, a run of anything but whitespace, letters and numbers, then line breaks or slashes.
            var end = SymbolRunEnd(ref text, length, c == ' ' ? start + 2 : start + 1);

            while (end < length && At(ref text, end) is '\r' or '\n' or '/')
            {
                end++;
            }

            return end;
        }

        return WhitespaceEnd(ref text, length, start);
    }

    /// <summary>
    /// A1 from <paramref name="start"/> (after the optional leading character): <c>U* W+ C?</c>, where the upper-class
    /// run gives back characters until the lower-class run can start. -1 if it cannot match there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WordWithLowerRun(ref char text, int length, int start)
    {
        var upperEnd = start;
        while (upperEnd < length && (ClassOf(At(ref text, upperEnd)) & Upper) != 0)
        {
            upperEnd++;
        }

        int lowerEnd;
        if (upperEnd < length && (ClassOf(At(ref text, upperEnd)) & Lower) != 0)
        {
            lowerEnd = LowerRunEnd(ref text, length, upperEnd + 1);
        }
        else
        {
            // Backtrack: the last character of the upper-class run that is also lower-class ends the word.
            var last = upperEnd - 1;
            while (last >= start && (ClassOf(At(ref text, last)) & Lower) == 0)
            {
                last--;
            }

            if (last < start)
            {
                return -1;
            }

            lowerEnd = last + 1;
        }

        return ContractionEnd(ref text, length, lowerEnd);
    }

    /// <summary>A2 from <paramref name="start"/>: <c>U+ W* C?</c>. -1 if it cannot match there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WordWithUpperRun(ref char text, int length, int start)
    {
        if (start >= length || (ClassOf(At(ref text, start)) & Upper) == 0)
        {
            return -1;
        }

        var end = start + 1;
        while (end < length && (ClassOf(At(ref text, end)) & Upper) != 0)
        {
            end++;
        }

        return ContractionEnd(ref text, length, LowerRunEnd(ref text, length, end));
    }

    /// <summary>
    /// The end of the run of lower-class characters from <paramref name="index"/>, eight at a time while they are
    /// ASCII: a word's length changes from piece to piece, so the processor mispredicts where a character loop ends
    /// about once a word, and comparing eight characters at once and counting the matches costs less than that.
    /// A non-ASCII character stops the comparison, and the table decides whether the run goes on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LowerRunEnd(ref char text, int length, int index)
    {
        while (Vector128.IsHardwareAccelerated && index <= length - Vector128<ushort>.Count)
        {
            var chars = Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref text), (nuint)(uint)index);
            var notLower = Vector128.GreaterThan(chars - Vector128.Create((ushort)'a'), Vector128.Create((ushort)('z' - 'a'))).ExtractMostSignificantBits();
            if (notLower == 0)
            {
                index += Vector128<ushort>.Count;
                continue;
            }

            index += BitOperations.TrailingZeroCount(notLower);
            if (At(ref text, index) < 128 || (ClassOf(At(ref text, index)) & Lower) == 0)
            {
                return index;
            }

            index++;
        }

        while (index < length && (ClassOf(At(ref text, index)) & Lower) != 0)
        {
            index++;
        }

        return index;
    }

    /// <summary>
    /// The end of the run of symbols (<c>[^\s\p{L}\p{N}]</c>) from <paramref name="index"/>: eight at a time while
    /// they are printable ASCII, as <see cref="LowerRunEnd(ref char, int, int)"/>, then from the table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SymbolRunEnd(ref char text, int length, int index)
    {
        while (Vector128.IsHardwareAccelerated && index <= length - Vector128<ushort>.Count)
        {
            var chars = Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref text), (nuint)(uint)index);
            var printable = Vector128.LessThanOrEqual(chars - Vector128.Create((ushort)0x21), Vector128.Create((ushort)(0x7E - 0x21)));
            var digit = Vector128.LessThanOrEqual(chars - Vector128.Create((ushort)'0'), Vector128.Create((ushort)9));
            var letter = Vector128.LessThanOrEqual((chars | Vector128.Create((ushort)0x20)) - Vector128.Create((ushort)'a'), Vector128.Create((ushort)('z' - 'a')));
            var notSymbol = (~Vector128.AndNot(printable, digit | letter)).ExtractMostSignificantBits();
            if (notSymbol == 0)
            {
                index += Vector128<ushort>.Count;
                continue;
            }

            index += BitOperations.TrailingZeroCount(notSymbol);
            break;
        }

        while (index < length && IsSymbol(At(ref text, index)))
        {
            index++;
        }

        return index;
    }

    /// <summary>After a word: <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)?</c>, ASCII case-insensitive (.NET's case table adds no other character for these letters: ſ is not an s).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ContractionEnd(ref char text, int length, int end)
    {
        if (end + 1 >= length || At(ref text, end) != '\'')
        {
            return end;
        }

        switch (At(ref text, end + 1))
        {
            case 's' or 'S' or 't' or 'T' or 'm' or 'M' or 'd' or 'D':
                return end + 2;
            case 'r' or 'R' or 'v' or 'V' when end + 2 < length && At(ref text, end + 2) is 'e' or 'E':
                return end + 3;
            case 'l' or 'L' when end + 2 < length && At(ref text, end + 2) is 'l' or 'L':
                return end + 3;
            default:
                return end;
        }
    }

    /// <summary>
    /// A5–A7 on the whitespace run that starts at <paramref name="start"/>: up to its last line break if it has one;
    /// else all of it at the end of the text; else all but its last character (which goes with what follows), unless
    /// it is a single character.
    /// </summary>
    private static int WhitespaceEnd(ref char text, int length, int start)
    {
        var end = start + 1;
        var lastBreak = (ClassOf(At(ref text, start)) & LineBreak) != 0 ? start : -1;
        while (end < length && (ClassOf(At(ref text, end)) & Space) != 0)
        {
            if ((ClassOf(At(ref text, end)) & LineBreak) != 0)
            {
                lastBreak = end;
            }

            end++;
        }

        if (lastBreak >= 0)
        {
            return lastBreak + 1;
        }

        return end == length || end - start == 1 ? end : end - 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAsciiLower(char c) => (uint)(c - 'a') <= 'z' - 'a';

    /// <summary><c>[^\s\p{L}\p{N}]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSymbol(char c) => (ClassOf(c) & (Space | Letter | Number)) == 0;

    /// <summary>A character's class bits (the table covers every UTF-16 code unit, so no index can be out of it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte ClassOf(char c) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_classes), (nint)c);

    /// <summary>The character at <paramref name="index"/>, which the caller has checked is inside the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static char At(ref char text, int index) => Unsafe.Add(ref text, (nint)(uint)index);

    private static byte[] BuildClasses()
    {
        var classes = new byte[char.MaxValue + 1];
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var c = (char)i;
            byte bits = CharUnicodeInfo.GetUnicodeCategory(c) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter => Letter | Upper,
                UnicodeCategory.LowercaseLetter => Letter | Lower,
                UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Letter | Upper | Lower,
                UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => Upper | Lower,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Number,
                _ => 0,
            };
            if (char.IsWhiteSpace(c))
            {
                bits |= Space;
            }

            if (c is '\r' or '\n')
            {
                bits |= LineBreak;
            }

            classes[i] = bits;
        }

        return classes;
    }

    /// <summary>The pieces of a text: the expression's matches, and the special tokens between them.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<char> _text;
        private int _position;

        // The current stretch ends at the next special token (of this length), or at the end of the text (length 0).
        private int _stretchEnd;
        private int _specialLength;

        internal Enumerator(ReadOnlySpan<char> text)
        {
            _text = text;
            FindNextSpecial();
        }

        /// <summary>The current piece: where it starts, how long it is, and whether it is a special token.</summary>
        public (int Start, int Length, bool IsSpecial) Current { readonly get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            var start = _position;
            if (start < _stretchEnd)
            {
                _position = PieceEnd(ref MemoryMarshal.GetReference(_text), _stretchEnd, start);
                Current = (start, _position - start, false);
                return true;
            }

            return MoveToSpecial();
        }

        /// <summary>At the end of a stretch: the special token that ends it, if any.</summary>
        private bool MoveToSpecial()
        {
            if (_specialLength == 0)
            {
                return false;
            }

            var start = _position;
            _position += _specialLength;
            Current = (start, _specialLength, true);
            FindNextSpecial();
            return true;
        }

        /// <summary>The stretch from here to the next special token (or the end), and that token.</summary>
        private void FindNextSpecial()
        {
            var from = _position;
            while (true)
            {
                var found = _text[from..].IndexOf(SpecialPrefix, StringComparison.Ordinal);
                if (found < 0)
                {
                    _specialLength = 0;
                    _stretchEnd = _text.Length;
                    return;
                }

                found += from;
                foreach (var special in SpecialTokens)
                {
                    if (_text[found..].StartsWith(special, StringComparison.Ordinal))
                    {
                        _specialLength = special.Length;
                        _stretchEnd = found;
                        return;
                    }
                }

                from = found + 1;
            }
        }
    }
}
