using System.Buffers;

namespace Inflight.Protocols.Translation;

/// <summary>
/// One pooled array reused for every upstream event: <see cref="System.Text.Json.JsonDocument"/> needs
/// memory rather than a span, and the reader's spans die when the handler returns. The document that
/// reads it is disposed before the next event, so one buffer per stream suffices.
/// </summary>
internal sealed class ScratchBuffer : IDisposable
{
    private byte[] _buffer = [];

    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> data)
    {
        if (data.Length > _buffer.Length)
        {
            Release();
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, 1024));
        }

        data.CopyTo(_buffer);
        return _buffer.AsMemory(0, data.Length);
    }

    public void Dispose() => Release();

    private void Release()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
