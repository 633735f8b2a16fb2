using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The block-at-a-time scan behind <see cref="WrittenAsIs.Is"/> and <see cref="WrittenAsIs.IsStringContent"/> gives the
/// verdicts of the byte-by-byte walk it replaced (<see cref="ReferenceWrittenAsIs"/>) on every value of many parsed
/// documents: random JSON, backslash runs, quotes and non-ASCII characters at every position around the 32- and 64-byte
/// block edges, and the real Claude Code bodies. Every vector width runs whatever the hardware, and the public entry points
/// with the width the machine picked.
/// </summary>
public sealed class WrittenAsIsScanTests
{
    private static readonly bool s_delIsStop = JsonOutput.WriterOptions.Encoder!.FindFirstCharacterToEncodeUtf8([0x7F]) >= 0;

    /// <summary>Every width the scan runs at (a width the hardware lacks runs in software, slowly but the same).</summary>
    private static readonly int[] s_vectorBits = [512, 256, 128];

    /// <summary>Characters and escapes a string may hold: those the writer writes as they are, and those it re-spells.</summary>
    private static readonly string[] s_stringPieces =
    [
        "a", "type", "string", " ", "0", "<&>", "'", "/", "\u007F",
        "\\n", "\\r", "\\t", "\\b", "\\f", "\\\"", "\\\\", "\\/", "\\u00e9", "\\u001B", "\\uD83D\\uDE00",
        "é", "ß", "☃", "—", "中文", "\u2028", "\u2029", "\uFEFF", "😀", "𝄞", "\u00A0", "\u0300",
    ];

    [Fact]
    public void Is_RandomJsonValues_SameVerdictsAsTheByteByByteWalk()
    {
        var random = new Random(17);
        var verdicts = new VerdictCounts();
        for (var document = 0; document < 3000; document++)
        {
            var json = new StringBuilder();
            AppendValue(json, random, depth: 0);
            CheckEveryValue(Encoding.UTF8.GetBytes(json.ToString()), verdicts);
        }

        verdicts.AssertBothSeen(each: 1000);
    }

    [Fact]
    public void Is_BackslashRunsAroundBlockEdges_SameVerdictsAsTheByteByByteWalk()
    {
        var verdicts = new VerdictCounts();
        for (var run = 1; run <= 9; run++)
        {
            // After an even run the next byte is a character of its own (or the closing quote); after an odd one it is escaped.
            string[] after = run % 2 == 0 ? ["", "a", "é", " ", "\\n"] : ["n", "\"", "\\", "/", "u0041", "t", "b", "f", "r"];
            foreach (var next in after)
            {
                for (var offset = 0; offset <= 140; offset++)
                {
                    var content = new string('x', offset) + new string('\\', run) + next;
                    CheckEveryValue(Encoding.UTF8.GetBytes($"\"{content}\""), verdicts);
                    CheckEveryValue(Encoding.UTF8.GetBytes($$"""{"k{{new string('y', offset % 7)}}":"{{content}}tail","n":[1,"{{content}}"]}"""), verdicts);
                }
            }
        }

        verdicts.AssertBothSeen(each: 1000);
    }

    [Fact]
    public void Is_QuotesAndWhitespaceAroundBlockEdges_SameVerdictsAsTheByteByByteWalk()
    {
        var verdicts = new VerdictCounts();
        string[] separators = [",", ", ", ",\n", ",\t", ",\r\n", " ,"];
        for (var first = 0; first <= 70; first++)
        {
            for (var second = 0; second <= 70; second += 3)
            {
                foreach (var separator in separators)
                {
                    var a = new string('a', first);
                    var b = new string(' ', second % 5) + new string('b', second);
                    CheckEveryValue(Encoding.UTF8.GetBytes($"[\"{a}\"{separator}\"{b}\",{first}e-{second},\"\"]"), verdicts);
                }
            }
        }

        verdicts.AssertBothSeen(each: 1000);
    }

    [Fact]
    public void Is_NonAsciiAroundBlockEdges_SameVerdictsAsTheByteByByteWalk()
    {
        var verdicts = new VerdictCounts();
        string[] characters = ["é", "☃", "中文字", "😀", "a😀", "\u2028", "\uFEFF", "é☃😀", "𝄞𝄞", "\u00A0\u00A0"];
        foreach (var character in characters)
        {
            for (var offset = 0; offset <= 140; offset++)
            {
                var content = new string('x', offset) + character + new string('z', 140 - offset) + character;
                CheckEveryValue(Encoding.UTF8.GetBytes($"\"{content}\""), verdicts);
                CheckEveryValue(Encoding.UTF8.GetBytes($"{{\"{character}\":[\"{content}\",\"{character}\"],\"b\":\"q\\n{content}\"}}"), verdicts);
            }
        }

        verdicts.AssertBothSeen(each: 1000);
    }

    [Fact]
    public void Is_RealClaudeCodeBodies_SameVerdictsOnEveryValue()
    {
        var verdicts = new VerdictCounts();
        var bodies = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "bodies"), "*.json")
            .Concat(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Translation", "Recordings"), "*.json"))
            .ToList();
        foreach (var body in bodies)
        {
            CheckEveryValue(File.ReadAllBytes(body), verdicts);
        }

        Assert.True(bodies.Count >= 2);
        verdicts.AssertBothSeen(each: 1);
        Assert.True(verdicts.True > 1000, $"{verdicts.True} values copied as they are");
    }

    /// <summary>Every value in the document (and every string's content) through the reference, the public check and both widths.</summary>
    private static void CheckEveryValue(byte[] json, VerdictCounts verdicts)
    {
        using var document = JsonDocument.Parse(json);
        Check(document.RootElement, verdicts);
    }

    private static void Check(JsonElement element, VerdictCounts verdicts)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var expected = ReferenceWrittenAsIs.Is(raw);
        AssertSame(expected, WrittenAsIs.Is(raw), raw, "Is");
        foreach (var bits in s_vectorBits)
        {
            AssertSame(expected, WrittenAsIsScan.Is(raw, insideString: false, s_delIsStop, bits), raw, $"Is, {bits}-bit scan");
        }

        verdicts.Add(expected);
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var content = raw[1..^1];
                var expectedContent = ReferenceWrittenAsIs.IsStringContent(content);
                AssertSame(expectedContent, WrittenAsIs.IsStringContent(content), content, "IsStringContent");
                foreach (var bits in s_vectorBits)
                {
                    AssertSame(expectedContent, WrittenAsIsScan.Is(content, insideString: true, s_delIsStop, bits), content, $"IsStringContent, {bits}-bit scan");
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Check(property.Value, verdicts);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, verdicts);
                }

                break;
        }
    }

    private static void AssertSame(bool expected, bool actual, ReadOnlySpan<byte> json, string check)
    {
        if (expected != actual)
        {
            Assert.Fail($"{check}: expected {expected} for {json.Length} bytes: {Encoding.UTF8.GetString(json)}");
        }
    }

    private static void AppendValue(StringBuilder json, Random random, int depth)
    {
        switch (random.Next(depth < 4 ? 7 : 4))
        {
            case 0:
                AppendNumber(json, random);
                break;
            case 1:
                json.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 2 or 3:
                AppendString(json, random);
                break;
            case 4 or 5:
                json.Append('{');
                var properties = random.Next(6);
                for (var i = 0; i < properties; i++)
                {
                    json.Append(i == 0 ? "" : ",");
                    AppendWhitespace(json, random);
                    AppendString(json, random);
                    AppendWhitespace(json, random);
                    json.Append(':');
                    AppendWhitespace(json, random);
                    AppendValue(json, random, depth + 1);
                }

                json.Append('}');
                break;
            default:
                json.Append('[');
                var items = random.Next(6);
                for (var i = 0; i < items; i++)
                {
                    json.Append(i == 0 ? "" : ",");
                    AppendWhitespace(json, random);
                    AppendValue(json, random, depth + 1);
                }

                json.Append(']');
                break;
        }
    }

    private static void AppendNumber(StringBuilder json, Random random)
    {
        json.Append(random.Next(2) == 0 ? "-" : "").Append(random.Next(100_000));
        if (random.Next(3) == 0)
        {
            json.Append('.').Append(random.Next(1000));
        }

        if (random.Next(3) == 0)
        {
            json.Append(random.Next(2) == 0 ? 'e' : 'E').Append(random.Next(3) switch { 0 => "+", 1 => "-", _ => "" }).Append(random.Next(300));
        }
    }

    /// <summary>A string of plain text with, now and then, a piece the writer keeps or re-spells (so both verdicts come up).</summary>
    private static void AppendString(StringBuilder json, Random random)
    {
        json.Append('"');
        var length = random.Next(4) == 0 ? random.Next(300) : random.Next(24);
        for (var i = 0; i < length; i++)
        {
            if (random.Next(12) == 0)
            {
                json.Append(s_stringPieces[random.Next(s_stringPieces.Length)]);
            }
            else
            {
                json.Append((char)random.Next('a', 'z' + 1));
            }
        }

        json.Append('"');
    }

    private static void AppendWhitespace(StringBuilder json, Random random)
    {
        if (random.Next(30) == 0)
        {
            json.Append(" \t\n\r"[random.Next(4)]);
        }
    }

    private sealed class VerdictCounts
    {
        public int True { get; private set; }

        public int False { get; private set; }

        public void Add(bool verdict)
        {
            if (verdict)
            {
                True++;
            }
            else
            {
                False++;
            }
        }

        public void AssertBothSeen(int each)
            => Assert.True(True >= each && False >= each, $"{True} values copied as they are and {False} re-spelled; expected at least {each} of each");
    }
}
