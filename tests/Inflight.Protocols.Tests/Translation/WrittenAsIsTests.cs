using System.Buffers;
using System.Text;
using System.Text.Json;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// <see cref="WrittenAsIs"/> and <see cref="EscapedText"/> against the writer itself: raw bytes are only copied when they
/// are exactly what <see cref="JsonElement.WriteTo"/> writes, and everything the writer writes without a <c>\u</c> escape qualifies.
/// </summary>
public sealed class WrittenAsIsTests
{
    [Fact]
    public void Is_EveryCharacterRawAndEscaped_TrueWhenTheWriterWritesTheSameBytes()
    {
        var checkedTokens = 0;
        for (var c = 0; c <= 0xFFFF; c++)
        {
            if (char.IsSurrogate((char)c))
            {
                continue;
            }

            foreach (var token in Spellings((char)c))
            {
                var written = WriteParsed(token);
                var same = written.AsSpan().SequenceEqual(token);

                // Copied only when the bytes are the same; and always then, but for \uXXXX, which is never copied (clients spell
                // its hex digits in either case): the writer re-spells it.
                var expected = same && token.AsSpan().IndexOf("\\u"u8) < 0;
                Assert.True(WrittenAsIs.Is(token) == expected, $"U+{c:X4} as {Encoding.UTF8.GetString(token)}: writer gives {Encoding.UTF8.GetString(written)}");
                Assert.True(WrittenAsIs.Is(written) == (written.AsSpan().IndexOf("\\u"u8) < 0), $"the writer's own spelling of U+{c:X4} ({Encoding.UTF8.GetString(written)}) qualifies");
                checkedTokens++;
            }
        }

        Assert.True(checkedTokens > 150_000);
    }

    [Theory]
    [InlineData("😀")]
    [InlineData("a😀b")]
    [InlineData("\\ud83d\\ude00")]
    [InlineData("\\uD83D\\uDE00")]
    public void Is_CharacterOutsideTheBmp_NeverCopied(string content)
    {
        var token = Encoding.UTF8.GetBytes($"\"{content}\"");
        var written = WriteParsed(token);

        Assert.False(WrittenAsIs.Is(token));
        Assert.False(WrittenAsIs.Is(written));
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string","description":"with spaces\nand \"quotes\""}},"required":["a"]}""", true)]
    [InlineData("""[1,-0,1.0e5,2E-3,true,false,null,{},[],""]""", true)]
    [InlineData("""{"a": 1}""", false)]
    [InlineData("""{"a":1 }""", false)]
    [InlineData("[1,\t2]", false)]
    [InlineData("""{"\u0074ype":"object"}""", false)]
    [InlineData("""{"a":"x\/y"}""", false)]
    [InlineData("""{"a":"café ☃ <&>"}""", true)]
    [InlineData("{\"a\":\"bom \uFEFF\"}", false)]
    public void Is_Container_TrueExactlyWhenCompactAndEveryStringAsWritten(string json, bool expected)
    {
        var raw = Encoding.UTF8.GetBytes(json);

        Assert.Equal(expected, WrittenAsIs.Is(raw));
        Assert.Equal(expected, WriteParsed(raw).AsSpan().SequenceEqual(raw));
    }

    [Theory]
    [InlineData("""{"a":1,"b":[1,2,{"c":"d"}],"e":"f g"}""")]
    [InlineData("""{ "a" : [ 1 , 2 ] }""")]
    [InlineData("\"plain\"")]
    [InlineData("\"caf\\u00e9\"")]
    public void Write_InArrayAndAfterPropertyName_GivesWhatWriteToGives(string json)
    {
        using var document = JsonDocument.Parse(json);

        var expected = Write(w =>
        {
            w.WriteStartArray();
            document.RootElement.WriteTo(w);
            document.RootElement.WriteTo(w);
            w.WriteStartObject();
            w.WritePropertyName("k");
            document.RootElement.WriteTo(w);
            w.WriteEndObject();
            w.WriteEndArray();
        });
        var actual = Write(w =>
        {
            w.WriteStartArray();
            WrittenAsIs.Write(document.RootElement, w);
            WrittenAsIs.Write(document.RootElement, w);
            w.WriteStartObject();
            w.WritePropertyName("k");
            WrittenAsIs.Write(document.RootElement, w);
            w.WriteEndObject();
            w.WriteEndArray();
        });

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
    }

    [Fact]
    public void EscapedText_JoinedPieces_SameBytesAsWritingTheJoinedText()
    {
        // Pieces copied as they are, pieces the writer re-spells, and the translator's own strings, in one text.
        string[] pieces = ["plain", "line\\nbreak \\\"q\\\"", "caf\\u00e9", "😀", "\\/", "\u2028", "", "\\u001b[0m"];
        using var document = JsonDocument.Parse("[" + string.Join(",", pieces.Select(p => $"\"{p}\"")) + "]");
        var joined = new StringBuilder();
        using var text = new EscapedText();
        foreach (var piece in document.RootElement.EnumerateArray())
        {
            joined.Append(joined.Length == 0 ? "" : "\n\n").Append(piece.GetString()).Append(" — ").Append("tab\there");
            text.Paragraph().Append(piece).Append(" — ").Append("tab\there");
        }

        var expected = Write(w => w.WriteStringValue(joined.ToString()));
        var actual = Write(text.WriteTo);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
    }

    [Fact]
    public void EscapedText_Nothing_IsAnEmptyString()
    {
        using var text = new EscapedText();

        Assert.True(text.IsEmpty);
        Assert.Equal("\"\"", Encoding.UTF8.GetString(Write(text.Paragraph().Append((string?)null).WriteTo)));
    }

    /// <summary>A character as a JSON string token: raw (where JSON allows it), and as each escape that reads as it.</summary>
    private static IEnumerable<byte[]> Spellings(char c)
    {
        if (c >= 0x20 && c != '"' && c != '\\')
        {
            yield return Encoding.UTF8.GetBytes($"\"{c}\"");
        }

        yield return Encoding.UTF8.GetBytes($"\"\\u{(int)c:x4}\"");
        yield return Encoding.UTF8.GetBytes($"\"\\u{(int)c:X4}\"");
        var shortEscape = c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            '"' => "\\\"",
            '\\' => "\\\\",
            '/' => "\\/",
            _ => null,
        };
        if (shortEscape is not null)
        {
            yield return Encoding.UTF8.GetBytes($"\"{shortEscape}\"");
        }
    }

    private static byte[] WriteParsed(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return Write(document.RootElement.WriteTo);
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
