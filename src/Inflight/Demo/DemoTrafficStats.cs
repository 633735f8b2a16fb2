using Inflight.Protocols;

namespace Inflight.Demo;

/// <summary>
/// What the traffic generator has done so far, per format. Lets tests (and a curious operator in a
/// debugger) see that traffic flows, and lets a test await the next change instead of polling.
/// </summary>
internal sealed class DemoTrafficStats
{
    private readonly long[] _sent = new long[2];
    private readonly long[] _responded = new long[2];
    private readonly long[] _succeeded = new long[2];
    private long _streaming;
    private long _failed;
    private long _skipped;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Requests started in <paramref name="format"/>.</summary>
    public long Sent(ApiFormat format) => Interlocked.Read(ref _sent[(int)format]);

    /// <summary>Requests in <paramref name="format"/> that got a response, whatever its status, and were read to the end.</summary>
    public long Responded(ApiFormat format) => Interlocked.Read(ref _responded[(int)format]);

    /// <summary>Requests in <paramref name="format"/> answered with a 2xx status.</summary>
    public long Succeeded(ApiFormat format) => Interlocked.Read(ref _succeeded[(int)format]);

    public long Streaming => Interlocked.Read(ref _streaming);

    /// <summary>Requests that ended in an exception (connection refused, broken stream, timeout).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Ticks skipped because the concurrency limit was reached.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Completes at the next change. Take it before checking the counters, so no change slips between.</summary>
    public Task NextChange => Volatile.Read(ref _changed).Task;

    internal void RecordSent(ApiFormat format, bool streaming)
    {
        Interlocked.Increment(ref _sent[(int)format]);
        if (streaming)
        {
            Interlocked.Increment(ref _streaming);
        }

        Signal();
    }

    internal void RecordResponse(ApiFormat format, int status)
    {
        Interlocked.Increment(ref _responded[(int)format]);
        if (status is >= 200 and < 300)
        {
            Interlocked.Increment(ref _succeeded[(int)format]);
        }

        Signal();
    }

    internal void RecordFailure()
    {
        Interlocked.Increment(ref _failed);
        Signal();
    }

    internal void RecordSkipped()
    {
        Interlocked.Increment(ref _skipped);
        Signal();
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
