using System.Collections.Concurrent;
using System.Net;

namespace Inflight.Dashboard;

/// <summary>
/// Limits wrong sign-in keys per client address: after <see cref="MaxFailures"/> failures within
/// <see cref="Window"/> every attempt from that address is refused until the window ends, so the key
/// cannot be guessed at speed. Successful sign-ins don't count.
/// </summary>
internal sealed class SignInThrottle(TimeProvider timeProvider)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Beyond this many tracked addresses, expired entries are swept on the next failure.
    private const int SweepThreshold = 4096;

    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();

    /// <summary>True when <paramref name="client"/> may try a key now; otherwise how long it must wait.</summary>
    public bool TryAcquire(IPAddress? client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_entries.TryGetValue(Normalize(client), out var entry))
        {
            return true;
        }

        var now = timeProvider.GetUtcNow();
        lock (entry)
        {
            var windowEnd = entry.WindowStart + Window;
            if (now >= windowEnd || entry.Failures < MaxFailures)
            {
                return true;
            }

            retryAfter = windowEnd - now;
            return false;
        }
    }

    public void RecordFailure(IPAddress? client)
    {
        var now = timeProvider.GetUtcNow();
        if (_entries.Count >= SweepThreshold)
        {
            Sweep(now);
        }

        var entry = _entries.GetOrAdd(Normalize(client), static (_, start) => new Entry { WindowStart = start }, now);
        lock (entry)
        {
            if (now >= entry.WindowStart + Window)
            {
                entry.WindowStart = now;
                entry.Failures = 0;
            }

            entry.Failures++;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (address, entry) in _entries)
        {
            bool expired;
            lock (entry)
            {
                expired = now >= entry.WindowStart + Window;
            }

            if (expired)
            {
                _entries.TryRemove(address, out _);
            }
        }
    }

    private static IPAddress Normalize(IPAddress? client)
        => client is null ? IPAddress.None : client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;

    private sealed class Entry
    {
        public DateTimeOffset WindowStart { get; set; }

        public int Failures { get; set; }
    }
}
