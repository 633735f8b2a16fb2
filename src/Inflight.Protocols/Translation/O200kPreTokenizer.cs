using System.Globalization;
using System.Runtime.CompilerServices;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Splits text into the pieces OpenAI's o200k_base encoding tokenizes one by one, exactly as Microsoft.ML.Tokenizers'
/// own pre-tokenizer for that encoding does (its regular expression, and its special tokens split out first), but as
/// a hand-written scanner: about 4× faster than the regular expression, and without allocating.
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
    /// The end of the piece that starts at <paramref name="start"/> in <paramref name="text"/> (a stretch without
    /// special tokens, which the expression sees as the whole input).
    /// </summary>
    public static int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var first = s_classes[text[start]];

        // Words (A1, then A2), the most common piece, starting at a letter...
        if ((first & Letter) != 0)
        {
            var end = WordWithLowerRun(text, start);
            return end >= 0 ? end : WordWithUpperRun(text, start);
        }

        if ((first & (Number | LineBreak)) == 0)
        {
            // ...or after one character that is not a line break, letter or number (typically a space). That leading
            // character is taken if the rest can match (A1, then A2, from the next character);
            // between the two, A1 may also start at the character itself, which matters only for a combining mark,
            // the one such character that is also in the letter classes (and for which it always matches).
            var next = start + 1 < text.Length ? s_classes[text[start + 1]] : (byte)0;
            if ((next & (Upper | Lower)) != 0)
            {
                var end = WordWithLowerRun(text, start + 1);
                if (end >= 0)
                {
                    return end;
                }
            }

            if ((first & Upper) != 0)
            {
                return WordWithLowerRun(text, start);
            }

            if ((next & Upper) != 0)
            {
                return WordWithUpperRun(text, start + 1);
            }
        }

        if ((first & Number) != 0)
        {
            // A3: one to three digits.
            var end = start + 1;
            while (end < text.Length && end < start + 3 && (s_classes[text[end]] & Number) != 0)
            {
                end++;
            }

            return end;
        }

        if ((first & Space) == 0 || (text[start] == ' ' && start + 1 < text.Length && IsSymbol(text[start + 1])))
        {
            // A4: an optional space, a run of anything but whitespace, letters and numbers, then line breaks or slashes.
            var end = text[start] == ' ' ? start + 2 : start + 1;
            while (end < text.Length && IsSymbol(text[end]))
            {
                end++;
            }

            while (end < text.Length && text[end] is '\r' or '\n' or '/')
            {
                end++;
            }

            return end;
        }

        return WhitespaceEnd(text, start);
    }

    /// <summary>
    /// A1 from <paramref name="start"/> (after the optional leading character): <c>U* W+ C?</c>, where the upper-class
    /// run gives back characters until the lower-class run can start. -1 if it cannot match there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WordWithLowerRun(ReadOnlySpan<char> text, int start)
    {
        var upperEnd = start;
        while (upperEnd < text.Length && (s_classes[text[upperEnd]] & Upper) != 0)
        {
            upperEnd++;
        }

        int lowerEnd;
        if (upperEnd < text.Length && (s_classes[text[upperEnd]] & Lower) != 0)
        {
            lowerEnd = upperEnd + 1;
            while (lowerEnd < text.Length && (s_classes[text[lowerEnd]] & Lower) != 0)
            {
                lowerEnd++;
            }
        }
        else
        {
            // Backtrack: the last character of the upper-class run that is also lower-class ends the word.
            var last = upperEnd - 1;
            while (last >= start && (s_classes[text[last]] & Lower) == 0)
            {
                last--;
            }

            if (last < start)
            {
                return -1;
            }

            lowerEnd = last + 1;
        }

        return ContractionEnd(text, lowerEnd);
    }

    /// <summary>A2 from <paramref name="start"/>: <c>U+ W* C?</c>. -1 if it cannot match there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WordWithUpperRun(ReadOnlySpan<char> text, int start)
    {
        if (start >= text.Length || (s_classes[text[start]] & Upper) == 0)
        {
            return -1;
        }

        var end = start + 1;
        while (end < text.Length && (s_classes[text[end]] & Upper) != 0)
        {
            end++;
        }

        while (end < text.Length && (s_classes[text[end]] & Lower) != 0)
        {
            end++;
        }

        return ContractionEnd(text, end);
    }

    /// <summary>After a word: <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)?</c>, ASCII case-insensitive (.NET's case table adds no other character for these letters: ſ is not an s).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ContractionEnd(ReadOnlySpan<char> text, int end)
    {
        if (end + 1 >= text.Length || text[end] != '\'')
        {
            return end;
        }

        switch (text[end + 1])
        {
            case 's' or 'S' or 't' or 'T' or 'm' or 'M' or 'd' or 'D':
                return end + 2;
            case 'r' or 'R' or 'v' or 'V' when end + 2 < text.Length && text[end + 2] is 'e' or 'E':
                return end + 3;
            case 'l' or 'L' when end + 2 < text.Length && text[end + 2] is 'l' or 'L':
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
    private static int WhitespaceEnd(ReadOnlySpan<char> text, int start)
    {
        var end = start + 1;
        var lastBreak = (s_classes[text[start]] & LineBreak) != 0 ? start : -1;
        while (end < text.Length && (s_classes[text[end]] & Space) != 0)
        {
            if ((s_classes[text[end]] & LineBreak) != 0)
            {
                lastBreak = end;
            }

            end++;
        }

        if (lastBreak >= 0)
        {
            return lastBreak + 1;
        }

        return end == text.Length || end - start == 1 ? end : end - 1;
    }

    /// <summary><c>[^\s\p{L}\p{N}]</c>.</summary>
    private static bool IsSymbol(char c) => (s_classes[c] & (Space | Letter | Number)) == 0;

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
        private int _stretchEnd;
        private int _specialStart;
        private int _specialLength;

        internal Enumerator(ReadOnlySpan<char> text)
        {
            _text = text;
            _stretchEnd = -1;
        }

        /// <summary>The current piece: where it starts, how long it is, and whether it is a special token.</summary>
        public (int Start, int Length, bool IsSpecial) Current { readonly get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_position >= _text.Length)
            {
                return false;
            }

            if (_stretchEnd < _position)
            {
                FindNextSpecial();
            }

            var start = _position;
            var special = _position == _specialStart;
            if (special)
            {
                _position += _specialLength;
                _stretchEnd = -1;
            }
            else
            {
                _position = PieceEnd(_text[.._stretchEnd], _position);
            }

            Current = (start, _position - start, special);
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
                    _specialStart = -1;
                    _stretchEnd = _text.Length;
                    return;
                }

                found += from;
                foreach (var special in SpecialTokens)
                {
                    if (_text[found..].StartsWith(special, StringComparison.Ordinal))
                    {
                        _specialStart = found;
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
