using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Unescapes the content of a JSON string that a parser has already read (its raw bytes between the quotes) into
/// UTF-16, for the token counter: the runs between escapes are transcoded with the vectorized UTF-8 decoder, and the
/// escapes are resolved one by one. A <see cref="System.Text.Json.Utf8JsonReader"/> would first validate the whole
/// string again, character by character, which cost as much as the copy on a Claude Code body's texts.
/// </summary>
internal static class JsonStringChars
{
    /// <summary>
    /// Writes the unescaped characters of <paramref name="content"/> into <paramref name="destination"/> (which needs no
    /// more characters than <paramref name="content"/> has bytes) and returns how many; -1 when the content is anything
    /// but valid UTF-8 with well-formed escapes and paired surrogates, for the caller to take the reader's path, which
    /// decides what that means.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> content, Span<char> destination)
    {
        var written = 0;
        while (true)
        {
            var backslash = content.IndexOf((byte)'\\');
            var run = backslash < 0 ? content : content[..backslash];
            if (Utf8.ToUtf16(run, destination[written..], out _, out var chars, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                return -1;
            }

            written += chars;
            if (backslash < 0)
            {
                return written;
            }

            content = content[backslash..];
            if (content.Length < 2)
            {
                return -1;
            }

            var escaped = content[1] switch
            {
                (byte)'n' => '\n',
                (byte)'t' => '\t',
                (byte)'r' => '\r',
                (byte)'"' => '"',
                (byte)'\\' => '\\',
                (byte)'/' => '/',
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                _ => '\0',
            };

            if (content[1] != (byte)'u')
            {
                if (escaped == '\0')
                {
                    return -1;
                }

                destination[written++] = escaped;
                content = content[2..];
                continue;
            }

            if (!TryReadUnit(content, out var unit) || char.IsLowSurrogate(unit))
            {
                return -1;
            }

            if (char.IsHighSurrogate(unit))
            {
                if (!TryReadUnit(content[6..], out var low) || !char.IsLowSurrogate(low))
                {
                    return -1;
                }

                destination[written++] = unit;
                destination[written++] = low;
                content = content[12..];
                continue;
            }

            destination[written++] = unit;
            content = content[6..];
        }
    }

    /// <summary>A <c>\uXXXX</c> escape at the start of <paramref name="escape"/>.</summary>
    private static bool TryReadUnit(ReadOnlySpan<byte> escape, out char unit)
    {
        unit = '\0';
        if (escape.Length < 6 || escape[0] != (byte)'\\' || escape[1] != (byte)'u'
            || !ushort.TryParse(escape.Slice(2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        unit = (char)value;
        return true;
    }
}
