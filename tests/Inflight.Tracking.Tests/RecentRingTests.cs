namespace Inflight.Tracking.Tests;

public sealed class RecentRingTests
{
    [Fact]
    public void ToArrayNewestFirst_Wrapped_ReturnsNewestFirst()
    {
        var ring = new RecentRing<string>(3);
        foreach (var item in new[] { "a", "b", "c", "d", "e" })
        {
            ring.Add(item);
        }

        Assert.Equal(["e", "d", "c"], ring.ToArrayNewestFirst(10));
        Assert.Equal(["e"], ring.ToArrayNewestFirst(1));
        Assert.Equal(3, ring.Count);
    }

    [Fact]
    public void Add_ZeroCapacity_KeepsNothing()
    {
        var ring = new RecentRing<string>(0);

        ring.Add("a");

        Assert.Empty(ring.ToArrayNewestFirst(5));
    }
}
