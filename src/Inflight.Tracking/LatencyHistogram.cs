namespace Inflight.Tracking;

/// <summary>
/// Fixed-size latency histogram for p50/p95 in the running totals: eight buckets per doubling from 1 ms up to
/// about 70 minutes (177 counters, whatever the traffic), so a percentile is within about 4.5% of the true
/// value and memory never grows with the number of requests. Not thread-safe: guarded like the totals it sits in.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int BucketsPerDoubling = 8;

    /// <summary>Bucket 0 holds everything under 1 ms; the last bucket everything from 2^22 ms (~70 min) on.</summary>
    private const int BucketCount = (22 * BucketsPerDoubling) + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _total;
    private double _min = double.MaxValue;
    private double _max;

    public long Count => _total;

    public void Add(TimeSpan value)
    {
        var milliseconds = Math.Max(0, value.TotalMilliseconds);
        _counts[BucketOf(milliseconds)]++;
        _total++;
        _min = Math.Min(_min, milliseconds);
        _max = Math.Max(_max, milliseconds);
    }

    public void AddFrom(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        _total += other._total;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    /// <summary>
    /// The value at quantile <paramref name="q"/> (0..1), as the geometric middle of the bucket the rank falls
    /// in, kept within the smallest and largest values seen (so one sample reads exactly); null without samples.
    /// </summary>
    public double? Percentile(double q)
    {
        if (_total == 0)
        {
            return null;
        }

        // Nearest-rank: the smallest value with at least q of the samples at or below it.
        var rank = Math.Max(1, (long)Math.Ceiling(q * _total));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                // The open-ended last bucket has no middle: its values are at least ~70 min, the largest is known.
                return Math.Round(i == BucketCount - 1 ? _max : Math.Clamp(MiddleOf(i), _min, _max), 1);
            }
        }

        return Math.Round(_max, 1);
    }

    private static int BucketOf(double milliseconds)
    {
        if (!(milliseconds >= 1))
        {
            return 0;
        }

        var index = 1 + (int)(Math.Log2(milliseconds) * BucketsPerDoubling);
        return Math.Min(index, BucketCount - 1);
    }

    /// <summary>Bucket i (i ≥ 1) spans [2^((i-1)/8), 2^(i/8)) ms; bucket 0 is [0, 1) ms, shown as 0.5.</summary>
    private static double MiddleOf(int index)
        => index == 0 ? 0.5 : Math.Pow(2, (index - 0.5) / BucketsPerDoubling);
}
