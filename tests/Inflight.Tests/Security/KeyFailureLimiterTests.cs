using System.Net;
using Inflight.Configuration;
using Inflight.Security;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tests.Security;

public sealed class KeyFailureLimiterTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");

    [Fact]
    public void TryRecordFailure_BeyondTheLimit_RefusedUntilAPermitComesBack()
    {
        var time = new FakeTimeProvider();
        using var limiter = NewLimiter(time, limit: 5, window: TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryRecordFailure(Client, out _));
        }

        var refused = !limiter.TryRecordFailure(Client, out var retryAfter);
        time.Advance(retryAfter - TimeSpan.FromMilliseconds(1));
        var stillRefused = !limiter.TryRecordFailure(Client, out _);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var allowedAgain = limiter.TryRecordFailure(Client, out _);
        var refusedAfterThat = !limiter.TryRecordFailure(Client, out _);

        // Permits come back evenly: one every window ÷ limit.
        Assert.True(refused);
        Assert.Equal(TimeSpan.FromSeconds(12), retryAfter);
        Assert.True(stillRefused);
        Assert.True(allowedAgain);
        Assert.True(refusedAfterThat);
    }

    [Fact]
    public void AdmitsRightKey_DuringALockout_OnlyAKeyAcceptedBeforeUntilAPermitComesBack()
    {
        var time = new FakeTimeProvider();
        using var limiter = NewLimiter(time, limit: 2, window: TimeSpan.FromSeconds(60));
        var acceptedBefore = limiter.AdmitsRightKey(Client, "ci", out _);
        while (limiter.TryRecordFailure(Client, out _))
        {
        }

        var provenDuring = limiter.AdmitsRightKey(Client, "ci", out _);
        var newDuring = limiter.AdmitsRightKey(Client, "alice", out var retryAfter);
        var newFromElsewhere = limiter.AdmitsRightKey(IPAddress.Parse("192.0.2.11"), "alice", out _);
        time.Advance(retryAfter);
        var newAfterRefill = limiter.AdmitsRightKey(Client, "alice", out _);

        Assert.True(acceptedBefore);
        Assert.True(provenDuring);
        Assert.False(newDuring);
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
        Assert.True(newFromElsewhere);
        Assert.True(newAfterRefill);
    }

    [Fact]
    public void TryRecordFailure_AfterAFullWindow_TheWholeLimitIsBack()
    {
        var time = new FakeTimeProvider();
        using var limiter = NewLimiter(time, limit: 3, window: TimeSpan.FromSeconds(30));
        for (var i = 0; i < 10; i++)
        {
            limiter.TryRecordFailure(Client, out _);
        }

        time.Advance(TimeSpan.FromSeconds(30));
        var granted = Enumerable.Range(0, 10).Count(i => limiter.TryRecordFailure(Client, out _));

        Assert.Equal(3, granted);
    }

    [Fact]
    public void TryRecordFailure_OtherAddresses_CountedOnTheirOwn()
    {
        using var limiter = NewLimiter(new FakeTimeProvider(), limit: 2, window: TimeSpan.FromMinutes(1));
        limiter.TryRecordFailure(Client, out _);
        limiter.TryRecordFailure(Client, out _);

        Assert.False(limiter.TryRecordFailure(Client.MapToIPv6(), out _));
        Assert.True(limiter.TryRecordFailure(IPAddress.Parse("192.0.2.11"), out _));
        Assert.True(limiter.TryRecordFailure(IPAddress.Parse("2001:db8:0:2::1"), out _));
    }

    [Fact]
    public void TryRecordFailure_IPv6SameSlash64_SharesOneBucket()
    {
        using var limiter = NewLimiter(new FakeTimeProvider(), limit: 2, window: TimeSpan.FromMinutes(1));
        limiter.TryRecordFailure(IPAddress.Parse("2001:db8:0:1::1"), out _);
        limiter.TryRecordFailure(IPAddress.Parse("2001:db8:0:1::2"), out _);

        // A host rotating addresses inside its /64 gains nothing; the next /64 is someone else.
        Assert.False(limiter.TryRecordFailure(IPAddress.Parse("2001:db8:0:1:ffff::3"), out _));
        Assert.True(limiter.TryRecordFailure(IPAddress.Parse("2001:db8:0:2::1"), out _));
    }

    [Fact]
    public void TryRecordFailure_LimitZero_NeverRefuses()
    {
        using var limiter = NewLimiter(new FakeTimeProvider(), limit: 0, window: TimeSpan.FromMinutes(1));

        Assert.All(Enumerable.Range(0, 100), i => Assert.True(limiter.TryRecordFailure(Client, out _)));
    }

    [Fact]
    public void IdleDuration_OnlyOnceTheBucketIsFullAgain()
    {
        var time = new FakeTimeProvider();
        using var bucket = new TimedTokenBucket(4, TimeSpan.FromSeconds(40), time);
        using var lease = bucket.AttemptAcquire(2);

        var whileDrained = bucket.IdleDuration;
        time.Advance(TimeSpan.FromSeconds(25));

        Assert.True(lease.IsAcquired);
        Assert.Null(whileDrained);
        Assert.Equal(TimeSpan.FromSeconds(5), bucket.IdleDuration);
        Assert.Equal(4, bucket.GetStatistics()!.CurrentAvailablePermits);
    }

    private static KeyFailureLimiter NewLimiter(TimeProvider time, int limit, TimeSpan window)
        => new(Options.Create(new GatewayOptions { AuthFailureLimit = limit, AuthFailureWindow = window }), time);
}
