namespace Inflight.Metrics;

/// <summary>
/// The delta publisher's recent rounds, each the ready UTF-8 bytes of its SSE events, shared by every watcher:
/// a watcher keeps only a cursor (the last round it took), so fan-out costs one append however many watch.
/// Bounded in rounds and in bytes; a watcher whose cursor fell out of the ring has missed events and must start
/// again from a snapshot. Thread-safe.
/// </summary>
internal sealed class DeltaFrameRing
{
    private readonly Lock _gate = new();
    private readonly byte[][] _rounds;
    private readonly long _maxBytes;
    private long _head;
    private int _count;
    private long _bytes;

    // Null unless a reader waits: an append with nobody waiting allocates nothing.
    private TaskCompletionSource? _appended;

    public DeltaFrameRing(int maxRounds, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRounds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _rounds = new byte[maxRounds][];
        _maxBytes = maxBytes;
    }

    /// <summary>The number of the newest round (rounds are numbered from 1; 0 before the first).</summary>
    public long Head
    {
        get
        {
            lock (_gate)
            {
                return _head;
            }
        }
    }

    /// <summary>Adds a round and wakes the readers; the oldest rounds go when the ring is over either bound (the newest always stays).</summary>
    public void Append(byte[] round)
    {
        TaskCompletionSource? appended;
        lock (_gate)
        {
            if (_count == _rounds.Length)
            {
                Drop();
            }

            _head++;
            _rounds[_head % _rounds.Length] = round;
            _count++;
            _bytes += round.Length;
            while (_bytes > _maxBytes && _count > 1)
            {
                Drop();
            }

            appended = _appended;
            _appended = null;
        }

        appended?.TrySetResult();
    }

    /// <summary>
    /// Adds every round after <paramref name="cursor"/> to <paramref name="into"/> and moves the cursor to the
    /// newest. False (nothing added) when some of those rounds are gone: the reader fell too far behind.
    /// </summary>
    public bool TryRead(ref long cursor, List<byte[]> into)
    {
        lock (_gate)
        {
            var oldest = _head - _count + 1;
            if (cursor + 1 < oldest || cursor > _head)
            {
                return false;
            }

            for (var round = cursor + 1; round <= _head; round++)
            {
                into.Add(_rounds[round % _rounds.Length]);
            }

            cursor = _head;
            return true;
        }
    }

    /// <summary>Completes when a round newer than <paramref name="cursor"/> is in the ring.</summary>
    public Task WaitAsync(long cursor, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_head != cursor)
            {
                return Task.CompletedTask;
            }

            _appended ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _appended.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Empties the ring and moves the head past every cursor handed out so far, so each reader starts again from a
    /// snapshot (after a round that failed half-way, or when nobody watches and the rounds only hold memory).
    /// </summary>
    public void Reset()
    {
        TaskCompletionSource? appended;
        lock (_gate)
        {
            Array.Clear(_rounds);
            _head += _rounds.Length + 1;
            _count = 0;
            _bytes = 0;
            appended = _appended;
            _appended = null;
        }

        appended?.TrySetResult();
    }

    /// <summary>Removes the oldest round (number <c>_head - _count + 1</c>).</summary>
    private void Drop()
    {
        var slot = (_head - _count + 1) % _rounds.Length;
        _bytes -= _rounds[slot].Length;
        _rounds[slot] = null!;
        _count--;
    }
}
