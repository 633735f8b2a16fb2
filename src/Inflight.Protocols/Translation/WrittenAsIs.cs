using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Copies a JSON value into the translators' output as its raw bytes when those bytes are exactly what
/// <see cref="JsonElement.WriteTo"/> would write with <see cref="JsonOutput.WriterOptions"/>: no whitespace
/// outside strings, and every string spelled as the writer spells it (only the characters its encoder keeps,
/// and only the escapes it writes itself: <c>\n \r \t \b \f \" \\</c>). Compact JSON from <c>JSON.stringify</c>
/// (Claude Code's tool schemas, texts with line breaks) qualifies; anything else is unescaped and re-escaped
/// as before, so the output is byte for byte the same either way.
/// </summary>
internal static class WrittenAsIs
{
    private static readonly JavaScriptEncoder s_encoder = JsonOutput.WriterOptions.Encoder!;

    /// <summary>Every byte the encoder escapes on its own, and every non-ASCII byte: asked of the encoder once, at start-up.</summary>
    private static readonly byte[] s_stopBytes = StopBytes();

    /// <summary>
    /// Where a scan inside a string stops: the quote, the backslash, every ASCII character the encoder escapes (asked of
    /// the encoder itself), and every non-ASCII byte (the encoder decides those: it escapes e.g. U+2028 and emoji).
    /// </summary>
    private static readonly SearchValues<byte> s_stopInString = SearchValues.Create(s_stopBytes);

    private const byte Unasked = 0;
    private const byte Kept = 1;
    private const byte Escaped = 2;

    /// <summary>The encoder's answer for each BMP character, as it is asked (<see cref="IsKept"/>).</summary>
    private static readonly byte[] s_bmpVerdicts = new byte[0x10000];

    /// <summary>
    /// Below this length the byte-by-byte walk is as quick as the block scan (a short string's content, a number).
    /// </summary>
    private const int VectorScanFrom = 32;

    /// <summary>Whether the encoder escapes DEL (0x7F) too: the block scan then stops on it as on the controls.</summary>
    private static readonly bool s_delIsStop = s_stopBytes.Contains((byte)0x7F);

    /// <summary>
    /// The block scan's vector width, or 0 for the byte-by-byte walk: without vector hardware, and when the encoder's
    /// ASCII stops are not exactly the ones the block scan looks for (the controls, the quote, the backslash, maybe
    /// DEL), so that both always give the same verdict.
    /// </summary>
    private static readonly int s_vectorBits = HasBlockScanStops() ? WrittenAsIsScan.HardwareVectorBits : 0;

    /// <summary>Writes <paramref name="value"/> as <see cref="JsonElement.WriteTo"/> does, copying its raw bytes when they are the same.</summary>
    public static void Write(JsonElement value, Utf8JsonWriter writer)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (IsWriterOutput(writer) && Is(raw))
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    /// <summary>
    /// Writes a tool's parameter schema as <see cref="Write"/> does; a tool without one gets the empty object schema
    /// (<c>{"type":"object","properties":{}}</c>), which every provider accepts for a tool that takes no input.
    /// </summary>
    public static void WriteSchema(JsonElement? schema, Utf8JsonWriter writer)
    {
        if (schema is { } value)
        {
            Write(value, writer);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "object"u8);
        writer.WriteStartObject("properties"u8);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Whether a writer writes compact JSON with the translators' encoder (the spelling <see cref="Is"/> checks against).</summary>
    public static bool IsWriterOutput(Utf8JsonWriter writer)
        => !writer.Options.Indented && ReferenceEquals(writer.Options.Encoder, s_encoder);

    /// <summary>Whether the raw bytes of a parsed JSON value (a string with its quotes, an object, an array, a number or literal) are what the writer writes for it.</summary>
    public static bool Is(ReadOnlySpan<byte> raw)
        => raw.Length >= VectorScanFrom && s_vectorBits != 0 ? WrittenAsIsScan.Is(raw, insideString: false, s_delIsStop, s_vectorBits) : IsByteByByte(raw);

    /// <summary>Whether a string token's content (between its quotes, still escaped) is what the writer writes for its value.</summary>
    public static bool IsStringContent(ReadOnlySpan<byte> content)
        => content.Length >= VectorScanFrom && s_vectorBits != 0 ? WrittenAsIsScan.Is(content, insideString: true, s_delIsStop, s_vectorBits) : StringEnd(content, 0) == content.Length;

    /// <summary>
    /// From <paramref name="i"/>, the first byte of a run of non-ASCII bytes inside a string, the index of the ASCII byte
    /// (or the end) after the run, or -1 at the first character the writer would escape (the encoder asked one character
    /// at a time: asked for the rest of the string, it scans on slowly).
    /// </summary>
    internal static int NonAsciiRunEnd(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] >= 0x80)
        {
            if (Rune.DecodeFromUtf8(json[i..], out var rune, out var length) != OperationStatus.Done || !IsKept(rune, json.Slice(i, length)))
            {
                return -1;
            }

            i += length;
        }

        return i;
    }

    /// <summary>
    /// Whether the encoder writes a character as it is. Its answer for a BMP character is remembered: asking costs tens of
    /// nanoseconds, and descriptions repeat the same few (— → …) on every request.
    /// </summary>
    private static bool IsKept(Rune rune, ReadOnlySpan<byte> utf8)
    {
        if (!rune.IsBmp)
        {
            return s_encoder.FindFirstCharacterToEncodeUtf8(utf8) < 0;
        }

        // Racing threads store the same answer.
        ref var verdict = ref s_bmpVerdicts[rune.Value];
        if (verdict == Unasked)
        {
            verdict = s_encoder.FindFirstCharacterToEncodeUtf8(utf8) < 0 ? Kept : Escaped;
        }

        return verdict == Kept;
    }

    private static bool IsByteByByte(ReadOnlySpan<byte> raw)
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
                i = NonAsciiRunEnd(json, i);
                if (i < 0)
                {
                    return -1;
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

    private static bool HasBlockScanStops()
    {
        var ascii = s_stopBytes.Where(b => b < 0x80).ToHashSet();
        var expected = Enumerable.Range(0, 0x20).Select(b => (byte)b).Concat([(byte)'"', (byte)'\\']).ToHashSet();
        ascii.Remove(0x7F);
        return ascii.SetEquals(expected);
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
