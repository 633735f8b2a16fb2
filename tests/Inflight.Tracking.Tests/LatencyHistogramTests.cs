namespace Inflight.Tracking.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentile_Empty_IsNull()
    {
        var histogram = new LatencyHistogram();

        Assert.Null(histogram.Percentile(0.5));
    }

    [Fact]
    public void Percentile_OneSample_IsThatSample()
    {
        var histogram = new LatencyHistogram();
        histogram.Add(TimeSpan.FromMilliseconds(1234));

        Assert.Equal(1234, histogram.Percentile(0.5));
        Assert.Equal(1234, histogram.Percentile(0.95));
    }

    [Fact]
    public void Percentile_UniformOneToTenThousandMs_WithinFivePercent()
    {
        var histogram = new LatencyHistogram();
        for (var ms = 1; ms <= 10_000; ms++)
        {
            histogram.Add(TimeSpan.FromMilliseconds(ms));
        }

        Assert.InRange(histogram.Percentile(0.50)!.Value, 5000 * 0.95, 5000 * 1.05);
        Assert.InRange(histogram.Percentile(0.95)!.Value, 9500 * 0.95, 9500 * 1.05);
        Assert.Equal(10_000, histogram.Count);
    }

    [Fact]
    public void Percentile_SkewedTail_P95SeesTheSlowFivePercent()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 90; i++)
        {
            histogram.Add(TimeSpan.FromMilliseconds(100));
        }

        for (var i = 0; i < 10; i++)
        {
            histogram.Add(TimeSpan.FromSeconds(30));
        }

        Assert.InRange(histogram.Percentile(0.50)!.Value, 95, 105);
        Assert.InRange(histogram.Percentile(0.95)!.Value, 28_500, 30_000);
    }

    [Fact]
    public void AddFrom_MergesCountsAndExtremes()
    {
        var fast = new LatencyHistogram();
        var slow = new LatencyHistogram();
        fast.Add(TimeSpan.FromMilliseconds(10));
        slow.Add(TimeSpan.FromHours(3)); // beyond the last bucket's start: kept as the largest value

        fast.AddFrom(slow);

        Assert.Equal(2, fast.Count);
        Assert.Equal(10, fast.Percentile(0.5));
        Assert.Equal(TimeSpan.FromHours(3).TotalMilliseconds, fast.Percentile(1.0));
    }
}
