using System.Text;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Tests.Sse;

public sealed class SseEventReaderTests
{
    private const string Stream =
        "event: message_start\r\ndata: {\"a\":1}\r\n\r\n" +
        ": comment\n" +
        "data: line1\ndata: line2\n\n" +
        "event: ping\rdata: {}\r\r" +
        "event: empty\n\n";

    [Fact]
    public void Feed_WholeStream_DispatchesEventsWithTypesAndJoinedData()
    {
        var events = Parse([Encoding.UTF8.GetBytes(Stream)]);

        Assert.Equal(["message_start|{\"a\":1}", "|line1\nline2", "ping|{}"], events);
    }

    [Fact]
    public void Feed_SplitAtEveryByteBoundary_GivesTheSameEvents()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        var expected = Parse([bytes]);
        for (var split = 1; split < bytes.Length; split++)
        {
            Assert.Equal(expected, Parse([bytes[..split], bytes[split..]]));
        }

        Assert.Equal(expected, Parse(bytes.Select(b => new[] { b }).ToArray()));
    }

    private static List<string> Parse(byte[][] chunks)
    {
        var handler = new Recorder();
        using var reader = new SseEventReader();
        foreach (var chunk in chunks)
        {
            reader.Feed(chunk, handler);
        }

        return handler.Events;
    }

    private sealed class Recorder : ISseEventHandler
    {
        public List<string> Events { get; } = [];

        public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
            => Events.Add(Encoding.UTF8.GetString(eventType) + "|" + Encoding.UTF8.GetString(data));
    }
}
