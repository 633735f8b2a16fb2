using System.Buffers;
using System.Text;
using Inflight.Gateway;
using Inflight.Protocols;
using Inflight.Protocols.Translation;

namespace Inflight.Tests.Gateway;

/// <summary>
/// The stream transform hands the response one write per upstream chunk, however many events and pieces the
/// translator wrote for it (each write into Kestrel's pipe takes its output lock), and holds nothing back.
/// </summary>
public sealed class StreamTranslationTransformTests
{
    private const string Chunks = """
        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}

        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}

        data: [DONE]


        """;

    [Fact]
    public void Write_ChunkOfSeveralEvents_OneWriteToTheResponseWithEveryEvent()
    {
        using var transform = new StreamTranslationTransform(ApiFormat.Anthropic, ApiFormat.OpenAI, new TranslationContext { Model = "gpt-4.1", EstimatedInputTokens = 9 });
        var response = new CountingWriter();

        transform.Write(Encoding.UTF8.GetBytes(Chunks.ReplaceLineEndings("\n")), response);
        var afterChunk = response.Writes;
        transform.Complete(response);

        Assert.Equal(1, afterChunk);
        var sse = response.Text;
        Assert.Contains("event: message_start", sse, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"Hel\"", sse, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"lo\"", sse, StringComparison.Ordinal);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", sse, StringComparison.Ordinal);
        Assert.InRange(response.Writes, 1, 2);
    }

    [Fact]
    public void Write_IncompleteEvent_HeldUntilItsEndArrivesThenWritten()
    {
        using var transform = new StreamTranslationTransform(ApiFormat.Anthropic, ApiFormat.OpenAI, new TranslationContext { Model = "gpt-4.1" });
        var response = new CountingWriter();
        var first = Encoding.UTF8.GetBytes("""data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}""");
        var rest = Encoding.UTF8.GetBytes("""
            ,"finish_reason":null}]}


            """.ReplaceLineEndings("\n"));

        transform.Write(first, response);
        var beforeEnd = response.Text;
        transform.Write(rest, response);

        Assert.Equal("", beforeEnd);
        Assert.Contains("\"text\":\"Hi\"", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void WritePing_BetweenChunks_WrittenAtOnce()
    {
        using var transform = new StreamTranslationTransform(ApiFormat.Anthropic, ApiFormat.OpenAI, new TranslationContext { Model = "gpt-4.1" });
        var response = new CountingWriter();
        transform.Write(Encoding.UTF8.GetBytes("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"), response);
        var before = (response.Text, response.Writes);

        transform.WritePing(response);

        Assert.Equal(before.Text + "event: ping\ndata: {\"type\":\"ping\"}\n\n", response.Text);
        Assert.Equal(before.Writes + 1, response.Writes);
    }

    /// <summary>A response body that counts the writes it was given.</summary>
    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _bytes = new();

        public int Writes { get; private set; }

        public string Text => Encoding.UTF8.GetString(_bytes.WrittenSpan);

        public void Advance(int count)
        {
            Writes++;
            _bytes.Advance(count);
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => _bytes.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => _bytes.GetSpan(sizeHint);
    }
}
