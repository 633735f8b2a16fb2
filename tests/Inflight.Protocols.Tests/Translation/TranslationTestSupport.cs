using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Inflight.Protocols.Sse;
using Inflight.Protocols.Translation;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>Shared helpers: contexts with a fixed clock, JSON comparison, and stream driving.</summary>
internal static class TranslationTestSupport
{
    public const long Now = 1_750_000_000;

    /// <summary>A context whose <paramref name="notes"/> list receives every dropped field's bare name (<c>"top_k"</c>) and every note (<c>"dropped: top_k"</c>).</summary>
    public static TranslationContext Context(string model, List<string>? notes = null, int estimatedInput = 0, int? maxOutputTokens = null) => new()
    {
        Model = model,
        EstimatedInputTokens = estimatedInput,
        MaxOutputTokens = maxOutputTokens,
        TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)),
        OnDropped = notes is null ? null : notes.Add,
        OnNote = notes is null ? null : notes.Add,
    };

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static void JsonEqual(string expected, byte[] actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"Expected:\n{e?.ToJsonString()}\nActual:\n{a?.ToJsonString()}");
    }

    public static void JsonEqual(JsonNode? expected, JsonNode? actual, string because = "")
        => Assert.True(JsonNode.DeepEquals(expected, actual), $"{because}\nExpected:\n{expected?.ToJsonString()}\nActual:\n{actual?.ToJsonString()}");

    /// <summary>Feeds <paramref name="chunks"/> to a translator through a real <see cref="SseEventReader"/>, draining output per chunk.</summary>
    public static string RunStream<T>(Func<TranslationContext, IBufferWriter<byte>, T> create, TranslationContext ctx, IEnumerable<byte[]> chunks, Action<T>? beforeEnd = null)
        where T : ISseEventHandler, IDisposable
    {
        var output = new ArrayBufferWriter<byte>();
        var client = new MemoryStream();
        using var reader = new SseEventReader();
        using var translator = create(ctx, output);
        foreach (var chunk in chunks)
        {
            reader.Feed(chunk, translator);
            client.Write(output.WrittenSpan);
            output.ResetWrittenCount();
        }

        beforeEnd?.Invoke(translator);
        switch (translator)
        {
            case OpenAIToAnthropicStreamTranslator a:
                a.Complete();
                break;
            case AnthropicToOpenAIStreamTranslator o:
                o.Complete();
                break;
            case OpenAIToResponsesStreamTranslator r:
                r.Complete();
                break;
            case AnthropicToResponsesStreamTranslator r:
                r.Complete();
                break;
        }

        client.Write(output.WrittenSpan);
        return Encoding.UTF8.GetString(client.ToArray());
    }

    /// <summary>The stream whole, split once at every byte boundary, and byte by byte: all must give <paramref name="expected"/>.</summary>
    public static void AssertSplitInvariant<T>(Func<TranslationContext, IBufferWriter<byte>, T> create, Func<TranslationContext> ctx, string upstream, string expected)
        where T : ISseEventHandler, IDisposable
    {
        var bytes = Utf8(upstream);
        for (var split = 1; split < bytes.Length; split++)
        {
            var actual = RunStream(create, ctx(), [bytes[..split], bytes[split..]]);
            Assert.True(expected == actual, $"Split at {split} differs.\nExpected:\n{expected}\nActual:\n{actual}");
        }

        Assert.Equal(expected, RunStream(create, ctx(), bytes.Select(b => new[] { b })));
    }

    /// <summary>Parses client SSE text into (event name, data JSON or raw data) pairs.</summary>
    public static List<(string Event, string Data)> Events(string sse)
    {
        var events = new List<(string, string)>();
        foreach (var block in sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string name = "", data = "";
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
                else if (line.StartsWith(':'))
                {
                    name = "comment";
                    data = line;
                }
            }

            events.Add((name, data));
        }

        return events;
    }

    /// <summary>Asserts the events match (event name, JSON data compared structurally).</summary>
    public static void EventsEqual(IReadOnlyList<(string Event, string Data)> expected, string actualSse)
    {
        var actual = Events(actualSse);
        Assert.True(expected.Count == actual.Count, $"Expected {expected.Count} events, got {actual.Count}:\n{actualSse}");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Event, actual[i].Event);
            if (expected[i].Data.StartsWith('{'))
            {
                JsonEqual(JsonNode.Parse(expected[i].Data), JsonNode.Parse(actual[i].Data), $"event {i} ({expected[i].Event})");
            }
            else
            {
                Assert.Equal(expected[i].Data, actual[i].Data);
            }
        }
    }
}
