using System.Buffers;

namespace Inflight.Protocols.Accounting;

// TEMPORARY placeholders with the agreed API, replaced by the accounting branch on merge.
public sealed class StreamAccountant : IDisposable
{
    public static StreamAccountant Create(ApiFormat format, IUsageListener listener) => new();

    public void Feed(ReadOnlySpan<byte> chunk)
    {
    }

    public void Dispose()
    {
    }
}

public static class ResponseUsageReader
{
    public static void Read(ApiFormat format, ReadOnlySpan<byte> json, IUsageListener listener)
    {
    }
}

public sealed class OpenAIUsageChunkFilter
{
    public void Filter(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output) => output.Write(chunk);
}
