namespace Inflight.Cluster;

/// <summary>Retry delays after a Redis failure: 250 ms, doubling, at most 5 s.</summary>
internal static class Backoff
{
    public static readonly TimeSpan Start = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    public static TimeSpan Next(TimeSpan current) => current * 2 >= Max ? Max : current * 2;
}
