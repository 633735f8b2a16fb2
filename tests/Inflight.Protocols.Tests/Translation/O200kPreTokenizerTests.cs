using System.Text;
using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using Microsoft.ML.Tokenizers;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The hand-written o200k scanner splits every text exactly where Microsoft.ML.Tokenizers' own regular expression
/// does, and the counter built on it gives exactly the library's token count: on every string of the real Claude
/// Code bodies, on hand-written edge cases, on every UTF-16 character in a set of contexts, and on a seeded fuzz.
/// </summary>
public sealed class O200kPreTokenizerTests
{
    private static readonly Tokenizer s_library = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private static readonly PreTokenizer s_regex = s_library.PreTokenizer!;

    public static TheoryData<string> EdgeCases() =>
    [
        "",
        "a",
        " ",
        "Hello, world!",
        // Contractions, every one in every case, after lower-case, upper-case and mixed words, and not after a word.
        "don't DON'T Don'T it's IT'S it'S we're WE'RE We'Re you've YOU'VE I'm I'M we'll WE'LL We'Ll he'd HE'D",
        "x's x'S x't x'T x're x'Re x'rE x'RE x've x'Ve x'vE x'm x'M x'll x'Ll x'lL x'LL x'd x'D",
        "'s 'twas 're 'll 'd ' s 'x a' a'' a'''s a'r a'v a'l a'q ''s",
        "it\u2019s it\u02BCs it`s it\u00B4s it'\u017F IT'\u017F it'\u212A",
        "rock'n'roll o'clock O'Neil MCDONALD'S",
        // Letter runs: camel case, all caps, title case, and letters with marks.
        "HTTPServer parseJSON XMLHttpRequest getHTTPResponseCode iPhone eBay ABCdef ABC DEF aBC",
        "\u01C5ungla \u01C5 \u1E9E\u00DF \u02B0h \u02B0 \u02B0A A\u02B0 \u02B0a",
        "e\u0301te\u0301 E\u0301TE\u0301 \u0301 \u0301a \u0301A A\u0301 a\u0301 \u0301\u0301 \u0903 a\u20DD \u20DDA",
        ".\u0301ABC !\u0301 (\u0301) \u0301\u0301AB x\u0301\u0301",
        // Numbers: runs split in threes, other number kinds.
        "1 12 123 1234 12345 1234567 3.14159 1e10 0x1F 2024-12-01 v1.2.3 \u00B2\u00B3 \u2160\u2161\u2162\u2163 \u0663\u0664\u0665\u0666",
        // Whitespace runs before words, symbols, line breaks and the end.
        "a  b   c    d\te\t\tf \tg\t h",
        "end   ",
        "end\t",
        "   start",
        "a \n b",
        "a  \n\n  b",
        "a\n\n\n",
        "\n\n\nb",
        "  \n",
        " \n ",
        "a\r\nb\r\n\r\nc",
        "a \r\n b \r\n\r\n  c",
        "\r\r\n\n\r",
        "x \u00A0y\u00A0\u00A0z \u3000w\u2028v\u2029u\u0085t\u000Bs\u000Cr\u001Cq",
        "line\u2028\u2028next \u2028 next",
        // Symbols: with a leading space, followed by line breaks and slashes.
        "a.b, c; d: e! f? (g) [h] {i} <j> \"k\" 'l'",
        "x = y + z; if (a && b || !c) { return; }",
        "// comment\n/* block */\n#!/bin/sh\npath/to/file.txt https://example.com/a/b?c=d&e=f",
        " ...\n ---/\n ***\r\n //\n",
        "@@@ ### $$$ %%% ^^^ &&& *** ___ ``` ~~~ ||| \\\\\\",
        "\t!\t\"",
        "===\n\n---",
        // Non-Latin scripts.
        "日本語のテキストです。中文文本。한국어 텍스트.",
        "Привет, мир! ПРИВЕТ Мир",
        "مرحبا بالعالم שלום עולם",
        "नमस्ते दुनिया ไทย",
        "中A A中 中a a中 中'S",
        // Outside the BMP: surrogate pairs, lone surrogates, emoji sequences.
        "\U0001F600 \U0001F600\U0001F601 a\U0001F600b \U0001F44D\U0001F3FD \U0001F468\u200D\U0001F469\u200D\U0001F467",
        "\U00020000\U00020001 \U0001D400\U0001D41A \U0001D7CE",
        "\uD800 \uDC00 a\uD800b a\uDC00b \uDC00\uD800 \uD800\uD800 \uDFFFx",
        "\u200B\u200C\u200D\uFEFF\u00AD x\u200By",
        "\u0000\u0001\u0008\u007F\u0080\u009F a\u0000b",
        // Special tokens: split out first; the text around them is matched on its own.
        "<|endoftext|>",
        "a<|endoftext|>b",
        "a  <|endoftext|>  b",
        "x\n<|endofprompt|>\ny",
        "<|endoftext|><|endofprompt|><|endoftext|>",
        "<|endof <|endoftext| <|endofprompt|x <|endof<|endoftext|> <|<|endoftext|>|>",
        "don<|endoftext|>'t  \t<|endofprompt|>",
    ];

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Split_EdgeCase_MatchesLibraryRegex(string text) => AssertSameAsLibrary(text, O200kTokenCounter.Create());

    [Theory]
    [InlineData("claude-code-2.1.332-messages.json")]
    [InlineData("claude-code-2.1.332-messages-next-turn.json")]
    public void Split_RealClaudeCodeBodyTexts_MatchLibraryRegex(string file)
    {
        var body = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bodies", file));
        var texts = new List<string> { body };
        CollectTexts(JsonNode.Parse(body), texts);
        var counter = O200kTokenCounter.Create();

        foreach (var text in texts)
        {
            AssertSameAsLibrary(text, counter);
        }

        Assert.True(texts.Count > 100, $"the body has many strings (got {texts.Count})");
    }

    [Fact]
    public void Split_EveryUtf16CharacterInContexts_MatchesLibraryRegex()
    {
        // Each character alone, around letters of each case, after an apostrophe (contractions), around digits,
        // spaces, line breaks and symbols, and paired with itself: a class or case table that differs shows up.
        var counter = O200kTokenCounter.Create();
        var text = new StringBuilder();
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var c = (char)i;
            text.Append($"x{c}y A{c}B {c}a {c}A a'{c} a'{c}e a'{c}l 1{c}2 {c}{c}\n{c} .{c}. \r{c}\t{c} ");
            if (i % 512 == 511)
            {
                AssertSameAsLibrary(text.ToString(), counter);
                text.Clear();
            }
        }
    }

    [Fact]
    public void Split_SeededFuzz_MatchesLibraryRegex()
    {
        // Pieces chosen to collide with each alternative's edges, plus any UTF-16 unit at random.
        string[] parts =
        [
            "a", "z", "A", "Z", "ab", "AB", "Ab", "aB", "'", "'s", "'S", "'t", "'re", "'Ve", "'m", "'LL", "'d", "'x", "\u017F",
            " ", "  ", "\t", "\n", "\r", "\r\n", "\v", "\f", "\u00A0", "\u2028", "\u2029", "\u3000", "\u0085", "\u001C",
            "0", "7", "42", "\u00B2", "\u2160", "\u0663", ".", ",", "/", "//", "-", "_", "(", ")", "\"", "\\", "#", "=",
            "\u0301", "\u0903", "\u20DD", "\u02B0", "\u01C5", "\u00DF", "\u4E2D", "\u3042", "\uAC00", "\u05D0", "\u0627",
            "\U0001F600", "\U0001F44D\U0001F3FD", "\U00020000", "\uD800", "\uDC00", "\u200D", "\u200B", "\u0000",
            "<|endoftext|>", "<|endofprompt|>", "<|endof", "<|", "|>",
        ];
        var random = new Random(20261201);
        var counter = new O200kTokenCounter(s_library, capacity: 64);
        for (var i = 0; i < 5_000; i++)
        {
            var text = new StringBuilder();
            var length = random.Next(0, 24);
            for (var j = 0; j < length; j++)
            {
                text.Append(random.Next(8) == 0 ? ((char)random.Next(char.MaxValue + 1)).ToString() : parts[random.Next(parts.Length)]);
            }

            AssertSameAsLibrary(text.ToString(), counter);
        }
    }

    [Fact]
    public void Split_RunsAcrossVectorWidths_MatchLibraryRegex()
    {
        // The scanner finds the end of a run of lower-case letters or of symbols several characters at a time, and
        // checks the character that stops it: runs of every length up to past two vector widths, after each kind of
        // start, stopped by ASCII and non-ASCII characters of each class, a contraction, a special token, or the end
        // of the text, with and without text after them.
        string[] runs = ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", ".,;:!?()[]{}<>\"#$%&*+-=@^_`|~/.,;:!?()[]{}\"#$%&*+"];
        string[] starts = ["", " ", ".", "x", "X", "\u00E9", "\t", "\n", "1"];
        string[] stops = ["", " ", "X", "\u00E9", "\u00C9", "\u01C5", "\u02B0", "\u0301", "\u4E2D", "\u2014", "\u201C", "\u00A0", "1", "\n", "\r\n", "/", "'s", "'LL", "'", "<|endoftext|>", "\uD83D\uDE00"];
        string[] tails = ["", " and more words after it", "\u00E9t\u00E9 \u201Cquoted\u201D"];
        var counter = O200kTokenCounter.Create();
        foreach (var run in runs)
        {
            for (var length = 1; length <= 40; length++)
            {
                foreach (var start in starts)
                {
                    foreach (var stop in stops)
                    {
                        foreach (var tail in tails)
                        {
                            AssertSameAsLibrary(start + run[..length] + stop + tail, counter);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Count_SmallTableUnderConcurrency_EqualsLibraryCount()
    {
        // A table far smaller than the vocabulary in use starts over many times while four threads count.
        var body = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bodies", "claude-code-2.1.332-messages.json"));
        var texts = new List<string>();
        CollectTexts(JsonNode.Parse(body), texts);
        var expected = texts.Select(LibraryCount).ToArray();
        var counter = new O200kTokenCounter(s_library, capacity: 100);

        Parallel.For(0, 4, worker =>
        {
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < texts.Count; i++)
                {
                    var index = (i + (worker * 17)) % texts.Count;
                    Assert.Equal(expected[index], counter.Count(texts[index]));
                }
            }
        });

        Assert.InRange(counter.Entries, 0, 100 + 4);
    }

    [Fact]
    public void Count_RepeatedText_RemembersItsPiecesOnlyUpToTheLengthLimit()
    {
        var counter = new O200kTokenCounter(s_library, capacity: 1_000);
        var longRun = new string('=', O200kTokenCounter.MaxCachedPieceLength + 1);

        Assert.Equal(s_library.CountTokens("one two one"), counter.Count("one two one"));
        Assert.Equal(3, counter.Entries); // "one", " two", " one"
        Assert.Equal(s_library.CountTokens(longRun), counter.Count(longRun));
        Assert.Equal(3, counter.Entries);
    }

    [Fact]
    public void Count_SpecialTokens_CountOneEachAsAFreshLibraryTokenizerDoes()
    {
        const string Text = "a<|endoftext|>b <|endofprompt|>\n<|endoftext|><|endof";

        Assert.Equal(TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(Text), O200kTokenCounter.Create().Count(Text));
        Assert.Equal(1, O200kTokenCounter.Create().Count("<|endoftext|>"));
    }

    private static void AssertSameAsLibrary(string text, O200kTokenCounter counter)
    {
        var expected = s_regex.PreTokenize(text).ToList();
        var actual = new List<(int Offset, int Length)>();
        foreach (var (start, length, _) in O200kPreTokenizer.Split(text))
        {
            actual.Add((start, length));
        }

        if (!expected.SequenceEqual(actual))
        {
            var at = expected.Zip(actual).TakeWhile(pair => pair.First == pair.Second).Count();
            Assert.Fail($"Splits differ at piece {at} of {Escape(text)}: library {Describe(text, expected.Skip(at))}, scanner {Describe(text, actual.Skip(at))}");
        }

        Assert.Equal(LibraryCount(text), counter.Count(text));
    }

    /// <summary>
    /// The library's count, a special token counting one. The text between special tokens is counted on its own
    /// (the library matches it on its own too): the library's count of a special token itself depends on whether its
    /// LRU still holds the entry it seeds at creation, which thousands of other pieces through a shared tokenizer evict.
    /// </summary>
    private static int LibraryCount(string text)
    {
        var stretches = text.Split(O200kPreTokenizer.SpecialTokens, StringSplitOptions.None);
        return stretches.Sum(stretch => s_library.CountTokens(stretch)) + stretches.Length - 1;
    }

    private static string Describe(string text, IEnumerable<(int Offset, int Length)> splits)
        => string.Join(" | ", splits.Take(3).Select(split => $"{split.Offset}:{Escape(text.Substring(split.Offset, split.Length))}"));

    private static string Escape(string text)
    {
        var shown = text.Length > 200 ? text[..200] + "…" : text;
        var escaped = new StringBuilder("\"");
        foreach (var c in shown)
        {
            escaped.Append(c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return escaped.Append('"').ToString();
    }

    /// <summary>Every string value and property name, and every object and array as compact JSON.</summary>
    private static void CollectTexts(JsonNode? node, List<string> texts)
    {
        switch (node)
        {
            case JsonObject obj:
                texts.Add(obj.ToJsonString());
                foreach (var (name, value) in obj)
                {
                    texts.Add(name);
                    CollectTexts(value, texts);
                }

                break;
            case JsonArray array:
                texts.Add(array.ToJsonString());
                foreach (var item in array)
                {
                    CollectTexts(item, texts);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                texts.Add(text);
                break;
        }
    }
}
