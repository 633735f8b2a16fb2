using Inflight.Protocols;

namespace Inflight.Tests.Gateway;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Write_PastInitialCapacity_GrowsAndKeepsEveryByte()
    {
        using var writer = new PooledBufferWriter(16);
        var expected = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();

        foreach (var chunk in expected.Chunk(777))
        {
            System.Buffers.BuffersExtensions.Write(writer, chunk);
        }

        Assert.Equal(expected.Length, writer.WrittenCount);
        Assert.True(writer.WrittenSpan.SequenceEqual(expected));
    }

    [Fact]
    public void Advance_BeyondBuffer_Throws()
    {
        using var writer = new PooledBufferWriter(256);
        var length = writer.GetSpan().Length;

        Assert.Throws<InvalidOperationException>(() => writer.Advance(length + 1));
    }

    [Fact]
    public void GetSpan_AfterDispose_Throws()
    {
        var writer = new PooledBufferWriter(256);
        writer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => writer.GetSpan());
        writer.Dispose();
    }
}
