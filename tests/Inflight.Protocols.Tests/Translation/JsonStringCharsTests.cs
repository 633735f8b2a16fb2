using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The token counter's unescaping of a parsed JSON string gives exactly the characters <see cref="Utf8JsonReader"/>
/// gives, and hands back (-1) everything it does not resolve itself: invalid UTF-8, lone surrogates, bad escapes.
/// </summary>
public sealed class JsonStringCharsTests
{
    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"plain ascii text\"")]
    [InlineData("\"line\\nbreak\\r\\n\\ttab \\\"quoted\\\" back\\\\slash \\/ \\b\\f\"")]
    [InlineData("\"caf\u00e9 \u65e5\u672c\u8a9e \U0001F600 raw\"")]
    [InlineData("\"\\u00e9\\u00E9\\u2028\\u0000\\u001f\\uffff\"")]
    [InlineData("\"\\ud83d\\ude00 pair \\uD83D\\uDE00\"")]
    [InlineData("\"\\\\\\\\\\n\"")]
    [InlineData("\"ends with an escape\\n\"")]
    public void Unescape_ValidStrings_GivesTheReadersCharacters(string json) => AssertSameAsReader(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("\"\\ud800\"")] // a lone high surrogate
    [InlineData("\"\\udc00 low first\"")]
    [InlineData("\"\\ud800\\u0041\"")] // a high surrogate followed by a non-surrogate
    [InlineData("\"\\ud800x\"")]
    public void Unescape_LoneSurrogates_LeavesThemToTheReader(string json)
    {
        var raw = Encoding.UTF8.GetBytes(json);
        Assert.Equal(-1, JsonStringChars.Unescape(raw.AsSpan(1, raw.Length - 2), new char[raw.Length]));
    }

    [Fact]
    public void Unescape_InvalidUtf8_LeavesItToTheReader()
    {
        byte[] content = [(byte)'a', 0xC3, (byte)'b', 0xFF];

        Assert.Equal(-1, JsonStringChars.Unescape(content, new char[content.Length]));
    }

    [Fact]
    public void Unescape_SeededRandomStrings_GivesTheReadersCharacters()
    {
        // Every escape the common writers produce (System.Text.Json's default and relaxed encoders, escaped non-ASCII).
        var random = new Random(20261201);
        JavaScriptEncoder[] encoders = [JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping];
        string[] parts = ["a", " ", "\n", "\r\n", "\t", "\"", "\\", "/", "\b", "\f", "\u0001", "\u007f", "\u00e9", "\u2028", "\u65e5", "\U0001F600", "<", "&", "'"];
        for (var i = 0; i < 2_000; i++)
        {
            var text = new StringBuilder();
            for (var j = random.Next(0, 20); j > 0; j--)
            {
                text.Append(random.Next(6) == 0 ? ((char)random.Next(0x20, 0xD800)).ToString() : parts[random.Next(parts.Length)]);
            }

            var json = JsonSerializer.SerializeToUtf8Bytes(text.ToString(), new JsonSerializerOptions { Encoder = encoders[i % 2] });
            AssertSameAsReader(json);
        }
    }

    private static void AssertSameAsReader(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var expected = reader.GetString();

        var chars = new char[json.Length];
        var length = JsonStringChars.Unescape(json.AsSpan(1, json.Length - 2), chars);

        Assert.Equal(expected, new string(chars, 0, length));
    }
}
