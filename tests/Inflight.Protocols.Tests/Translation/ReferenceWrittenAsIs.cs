using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// <see cref="WrittenAsIs.Is"/> and <see cref="WrittenAsIs.IsStringContent"/> as they were before the block-at-a-time
/// scan: a byte-by-byte walk between strings and one <c>IndexOfAny</c> per string. The scan must give the same verdicts.
/// </summary>
internal static class ReferenceWrittenAsIs
{
    private static readonly JavaScriptEncoder s_encoder = JsonOutput.WriterOptions.Encoder!;

    private static readonly SearchValues<byte> s_stopInString = SearchValues.Create(StopBytes());

    /// <summary>Whether the raw bytes of a parsed JSON value (a string with its quotes, an object, an array, a number or literal) are what the writer writes for it.</summary>
    public static bool Is(ReadOnlySpan<byte> raw)
    {
        var i = 0;
        while (i < raw.Length)
        {
            switch (raw[i])
            {
                case (byte)'"':
                    var end = StringEnd(raw, i + 1);
                    if (end < 0 || end == raw.Length)
                    {
                        return false;
                    }

                    i = end + 1;
                    break;
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    return false; // whitespace between tokens: the writer writes none
                default:
                    i++; // punctuation, numbers and literals are written as they are read
                    break;
            }
        }

        return true;
    }

    /// <summary>Whether a string token's content (between its quotes, still escaped) is what the writer writes for its value.</summary>
    public static bool IsStringContent(ReadOnlySpan<byte> content) => StringEnd(content, 0) == content.Length;

    /// <summary>
    /// From <paramref name="i"/> inside a string, the index of its closing quote (the end of <paramref name="json"/> when
    /// there is none), or -1 at the first character or escape the writer would spell differently.
    /// </summary>
    private static int StringEnd(ReadOnlySpan<byte> json, int i)
    {
        while (true)
        {
            var stop = json[i..].IndexOfAny(s_stopInString);
            if (stop < 0)
            {
                return json.Length;
            }

            i += stop;
            if (json[i] >= 0x80)
            {
                // The encoder asked one character at a time: asked for the rest of the string, it scans on slowly.
                while (i < json.Length && json[i] >= 0x80)
                {
                    if (Rune.DecodeFromUtf8(json[i..], out _, out var length) != OperationStatus.Done
                        || s_encoder.FindFirstCharacterToEncodeUtf8(json.Slice(i, length)) >= 0)
                    {
                        return -1;
                    }

                    i += length;
                }

                continue;
            }

            // The writer's own escapes (checked against it in WrittenAsIsTests); \/, \u and a character it would escape are not.
            if (json[i] == (byte)'"')
            {
                return i;
            }

            if (json[i] != (byte)'\\' || i + 1 == json.Length
                || json[i + 1] is not ((byte)'n' or (byte)'r' or (byte)'t' or (byte)'b' or (byte)'f' or (byte)'"' or (byte)'\\'))
            {
                return -1;
            }

            i += 2;
        }
    }

    private static byte[] StopBytes()
    {
        var stops = new List<byte>();
        Span<byte> one = stackalloc byte[1];
        for (var b = 0; b < 256; b++)
        {
            one[0] = (byte)b;
            if (b >= 0x80 || s_encoder.FindFirstCharacterToEncodeUtf8(one) >= 0)
            {
                stops.Add((byte)b);
            }
        }

        return [.. stops];
    }
}
