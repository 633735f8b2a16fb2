namespace Inflight.Demo;

/// <summary>
/// A read-only stream over chunks produced on demand by an async iterator, so a simulated response
/// arrives over time the way a socket's bytes do. Nothing runs ahead of the reader: when the
/// consumer stops reading, generation stops. A cancelled read or <see cref="Dispose(bool)"/> cancels
/// the generator at once (its pending delay ends immediately).
/// </summary>
internal sealed class DemoEventStream : Stream
{
    private readonly CancellationTokenSource _cts = new();
    private readonly IAsyncEnumerator<ReadOnlyMemory<byte>> _chunks;
    private ReadOnlyMemory<byte> _pending;
    private bool _finished;
    private bool _disposed;

    public DemoEventStream(Func<CancellationToken, IAsyncEnumerable<ReadOnlyMemory<byte>>> produce)
    {
        _chunks = produce(_cts.Token).GetAsyncEnumerator();
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_pending.IsEmpty)
        {
            if (_finished)
            {
                return 0;
            }

            // Like a socket read, a cancelled read kills the response: the generator cannot resume mid-delay.
            using (cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _cts))
            {
                try
                {
                    if (!await _chunks.MoveNextAsync())
                    {
                        _finished = true;
                        return 0;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            _pending = _chunks.Current;
        }

        var count = Math.Min(buffer.Length, _pending.Length);
        _pending[..count].CopyTo(buffer);
        _pending = _pending[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;

            // Cancel rather than dispose the enumerator: a read may still be awaiting it, and disposing a
            // running async iterator throws. Cancellation ends it. The source is deliberately not disposed:
            // a pending read's registration may still call Cancel on it, and it owns no timer to release.
            _cts.Cancel();
        }

        base.Dispose(disposing);
    }
}
