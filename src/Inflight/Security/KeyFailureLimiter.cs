using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using BitFaster.Caching.Lru;
using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Security;

/// <summary>
/// Throttles wrong and missing keys per client address: each failed key check takes a permit from the address's
/// bucket (<c>AUTH_FAILURE_LIMIT</c> per <c>AUTH_FAILURE_WINDOW</c>); with none left the request gets 429 and
/// <c>Retry-After</c> instead of 401.
/// </summary>
/// <remarks>
/// <para>
/// A throttle that always let the right key through would still answer every guess: 200 for the right one, 429
/// for the rest, at whatever rate the guesser sends. So while an address is locked out, every request from it gets
/// the same 429, right key or not, with one exception: a key that has already been accepted from that address
/// (<see cref="AdmitsRightKey"/>). The operator's running clients and signed-in dashboards (a session cookie is
/// such a proof too) keep working while someone on the same address (every local client is 127.0.0.1) sends wrong
/// keys, and a guesser learns at most <c>AUTH_FAILURE_LIMIT</c> answers per window. A right key not seen from
/// that address before waits for the next permit: the bucket refills evenly, one permit every window ÷ limit
/// (6 s by default), not the whole window. A refused request costs only the constant-time key check
/// (<see cref="ProxyKeyVerifier"/>), a lookup here and a short error — no body read, no routing, no upstream call.
/// </para>
/// <para>
/// The address is <see cref="ConnectionInfo.RemoteIpAddress"/>, which reflects <c>X-Forwarded-For</c> only from
/// <c>TRUSTED_PROXIES</c>. IPv6 clients are grouped by /64, the block one host usually holds. Buckets that have been
/// full again for ten seconds are dropped by the partitioned limiter, and the accepted (address, key label) pairs
/// are a bounded LRU, so memory follows the addresses in use, not every address ever seen.
/// </para>
/// </remarks>
internal sealed class KeyFailureLimiter : IDisposable
{
    /// <summary>How many (address, key label) pairs are remembered as having shown a right key.</summary>
    private const int ProvenCapacity = 4096;

    private readonly PartitionedRateLimiter<IPAddress>? _limiter;
    private readonly ConcurrentLru<(IPAddress Partition, string Label), bool> _proven = new(ProvenCapacity);

    public KeyFailureLimiter(IOptions<GatewayOptions> options, TimeProvider timeProvider)
    {
        var gateway = options.Value;
        if (gateway.AuthFailureLimit > 0)
        {
            var limit = gateway.AuthFailureLimit;
            var window = gateway.AuthFailureWindow;
            _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(
                address => RateLimitPartition.Get(PartitionOf(address), _ => new TimedTokenBucket(limit, window, timeProvider)));
        }
    }

    /// <summary>
    /// Whether a right key (<paramref name="label"/>) from <paramref name="client"/> is let in: always while the address
    /// has permits left, and during a lockout only if that key has been accepted from that address before. False
    /// means the same 429 a wrong key gets, after <paramref name="retryAfter"/>.
    /// </summary>
    public bool AdmitsRightKey(IPAddress? client, string label, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null)
        {
            return true;
        }

        var address = client ?? IPAddress.None;
        var proven = (PartitionOf(address), label);
        if (_proven.TryGet(proven, out _))
        {
            return true;
        }

        // Zero permits asks whether the address has any left without taking one.
        using var lease = _limiter.AttemptAcquire(address, 0);
        if (!lease.IsAcquired)
        {
            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            return false;
        }

        _proven.AddOrUpdate(proven, true);
        return true;
    }

    /// <summary>
    /// Records a failed key check from <paramref name="client"/>. False when the address has used up its failures:
    /// the request is to be refused with 429 and <paramref name="retryAfter"/>.
    /// </summary>
    public bool TryRecordFailure(IPAddress? client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(client ?? IPAddress.None);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return false;
    }

    /// <summary>Whole seconds for a <c>Retry-After</c> header: rounded up, at least 1.</summary>
    public static int RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    public void Dispose() => _limiter?.Dispose();

    internal static IPAddress PartitionOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
