namespace Inflight.Metrics;

/// <summary>
/// One delta stream's place in the publisher's shared ring: the snapshot it starts from and a cursor, nothing
/// else, so a watcher costs no memory per event. Disposing unsubscribes; it is idempotent. One reader at a time.
/// </summary>
internal sealed class ActiveRequestsDeltaSubscription : IDisposable
{
    private readonly ActiveRequestsDeltaPublisher _publisher;
    private int _disposed;

    public ActiveRequestsDeltaSubscription(ActiveRequestsDeltaPublisher publisher, byte[] snapshot, long cursor)
    {
        _publisher = publisher;
        Snapshot = snapshot;
        Cursor = cursor;
    }

    /// <summary>The <c>snapshot</c> event this stream opens with.</summary>
    public byte[] Snapshot { get; }

    /// <summary>The last ring round this stream has taken (or that its latest snapshot includes).</summary>
    public long Cursor { get; set; }

    /// <summary>Fresh snapshots sent because the stream fell out of the ring.</summary>
    public long Resyncs { get; set; }

    /// <summary>Completes when there is something to <see cref="Read"/>.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _publisher.WaitAsync(this, cancellationToken);

    /// <summary>Adds the frames to send next: the rounds since the last read, or a fresh snapshot if some are gone.</summary>
    public void Read(List<byte[]> into) => _publisher.Read(this, into);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _publisher.Unsubscribe(this);
        }
    }
}
