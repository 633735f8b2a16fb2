using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
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
/// The limiter is consulted only after a key check failed, never before one: a request with the right key is always
/// checked and always passes, so nobody sharing an address (every local client is 127.0.0.1) can lock the operator
/// out by sending wrong keys. The price is that a 429 still says "wrong key", just as a 401 would; a throttle that
/// lets the right key through cannot hide whether a guess was right. What it bounds is the cost of a guess: a
/// refused one gets only the constant-time key check (<see cref="ProxyKeyVerifier"/>), a lookup here and a short
/// error — no body read, no routing to a provider, no upstream call — and it stays visible in <c>auth_failures</c>.
/// Against guessing itself the defence is the key's length: a random key of 32+ characters is out of reach at any
/// rate a single host can answer.
/// </para>
/// <para>
/// The address is <see cref="ConnectionInfo.RemoteIpAddress"/>, which reflects <c>X-Forwarded-For</c> only from
/// <c>TRUSTED_PROXIES</c>. IPv6 clients are grouped by /64, the block one host usually holds. Buckets that have been
/// full again for ten seconds are dropped by the partitioned limiter, so memory follows the addresses failing right now.
/// </para>
/// </remarks>
internal sealed class KeyFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress>? _limiter;

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
