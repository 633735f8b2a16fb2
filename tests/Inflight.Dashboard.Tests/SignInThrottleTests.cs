using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Dashboard.Tests;

public sealed class SignInThrottleTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");

    [Fact]
    public void TryAcquire_FiveFailures_RefusedUntilWindowEnds()
    {
        var time = new FakeTimeProvider();
        var throttle = new SignInThrottle(time);
        for (var i = 0; i < SignInThrottle.MaxFailures; i++)
        {
            Assert.True(throttle.TryAcquire(Client, out _));
            throttle.RecordFailure(Client);
        }

        time.Advance(TimeSpan.FromSeconds(20));
        var refused = !throttle.TryAcquire(Client, out var retryAfter);
        time.Advance(retryAfter);
        var allowedAgain = throttle.TryAcquire(Client, out _);

        Assert.True(refused);
        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
        Assert.True(allowedAgain);
    }

    [Fact]
    public void TryAcquire_OtherClient_NotAffected()
    {
        var throttle = new SignInThrottle(new FakeTimeProvider());
        for (var i = 0; i < SignInThrottle.MaxFailures; i++)
        {
            throttle.RecordFailure(Client);
        }

        Assert.False(throttle.TryAcquire(Client, out _));
        Assert.True(throttle.TryAcquire(IPAddress.Parse("192.0.2.11"), out _));
        Assert.False(throttle.TryAcquire(Client.MapToIPv6(), out _));
    }

    [Fact]
    public void RecordFailure_AfterWindow_StartsCountingAgain()
    {
        var time = new FakeTimeProvider();
        var throttle = new SignInThrottle(time);
        for (var i = 0; i < SignInThrottle.MaxFailures - 1; i++)
        {
            throttle.RecordFailure(Client);
        }

        time.Advance(SignInThrottle.Window);
        throttle.RecordFailure(Client);

        Assert.True(throttle.TryAcquire(Client, out _));
    }
}
