using System.Threading.RateLimiting;

namespace Inflight.Security;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>: <c>capacity</c> permits, refilled evenly so that an empty bucket
/// is full again after <c>refillTime</c>. The built-in limiters measure time with <c>Stopwatch</c> and their own
/// timers, so tests could only drive them by waiting; this one computes the refill from timestamps when asked, needs
/// no timer, and a <c>FakeTimeProvider</c> moves it. It never queues: a permit is granted now or refused with
/// <see cref="MetadataName.RetryAfter"/>.
/// </summary>
internal sealed class TimedTokenBucket(int capacity, TimeSpan refillTime, TimeProvider timeProvider) : RateLimiter
{
    private static readonly RateLimitLease s_granted = new Lease(isAcquired: true, retryAfter: null);

    private readonly Lock _lock = new();
    private readonly double _permitsPerTick = capacity / (double)refillTime.Ticks;
    private double _permits = capacity;
    private long _updatedAt = timeProvider.GetTimestamp();
    private long _granted;
    private long _refused;

    /// <summary>How long the bucket has been full, which lets a partitioned limiter drop it; null while it is not.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                var now = timeProvider.GetTimestamp();
                var elapsed = timeProvider.GetElapsedTime(_updatedAt, now);
                var untilFull = TimeSpan.FromTicks((long)Math.Ceiling((capacity - _permits) / _permitsPerTick));
                return elapsed >= untilFull ? elapsed - untilFull : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)_permits,
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _granted,
                TotalFailedLeases = _refused,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, capacity);
        lock (_lock)
        {
            Refill();

            // Zero permits asks whether one would be granted, without taking it (the RateLimiter contract).
            var needed = Math.Max(permitCount, 1);
            if (_permits >= needed)
            {
                _permits -= permitCount;
                _granted++;
                return s_granted;
            }

            _refused++;
            var wait = TimeSpan.FromTicks((long)Math.Ceiling((needed - _permits) / _permitsPerTick));
            return new Lease(isAcquired: false, wait);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        => ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        var now = timeProvider.GetTimestamp();
        var elapsed = timeProvider.GetElapsedTime(_updatedAt, now);
        _permits = Math.Min(capacity, _permits + (elapsed.Ticks * _permitsPerTick));
        _updatedAt = now;
    }

    private sealed class Lease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        private static readonly string[] s_retryAfterOnly = [MetadataName.RetryAfter.Name];

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : s_retryAfterOnly;

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
