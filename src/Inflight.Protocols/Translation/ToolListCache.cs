using System.IO.Hashing;
using System.Security.Cryptography;
using BitFaster.Caching.Lru;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Tool lists as a request translator wrote them, keyed by the client's raw <c>tools</c> array. Claude Code sends the
/// same ~60 KB of tool definitions on every turn (four fifths of its body), so every turn after the first copies their
/// translation instead of translating them again.
/// </summary>
/// <remarks>
/// <para>
/// A hit is the same bytes, not only the same hash: each entry keeps the array it was translated from and a hit
/// compares it (one vectorized pass). A hash alone, even seeded, would let a crafted collision put one client's tool
/// list into another client's request.
/// </para>
/// <para>
/// Bounded by memory: at most <see cref="DefaultCapacity"/> lists of at most <see cref="MaxListBytes"/> each, source
/// and translation (about 4 MB for 32 Claude Code tool sets, 16 MB at worst). Larger lists are translated every time.
/// </para>
/// </remarks>
internal sealed class ToolListCache(int capacity)
{
    /// <summary>Distinct tool lists kept: a team's clients share a handful (one per client version and MCP set).</summary>
    public const int DefaultCapacity = 32;

    /// <summary>The largest tools array kept, in bytes of JSON; Claude Code's is about 60 KB.</summary>
    public const int MaxListBytes = 256 * 1024;

    // Seeded per process so which lists share a bucket cannot be planned from outside (a hit still compares the bytes).
    private static readonly long s_seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    private readonly ConcurrentLru<ulong, TranslatedToolList> _lists = new(capacity);

    // Counted here rather than by the LRU, which would count a key found with other bytes as a hit.
    private long _hits;
    private long _misses;

    /// <summary>The translation of exactly these bytes (whose <see cref="Key"/> is <paramref name="key"/>), if kept.</summary>
    public bool TryGet(ReadOnlySpan<byte> source, ulong key, out TranslatedToolList list)
    {
        if (source.Length <= MaxListBytes
            && _lists.TryGet(key, out var found)
            && found.Source is { } kept
            && source.SequenceEqual(kept))
        {
            Interlocked.Increment(ref _hits);
            list = found;
            return true;
        }

        Interlocked.Increment(ref _misses);
        list = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="list"/> under <paramref name="key"/> (its source's <see cref="Key"/>) when it carries its source (lists over <see cref="MaxListBytes"/> do not).</summary>
    public void Add(ulong key, TranslatedToolList list)
    {
        if (list.Source is not null)
        {
            _lists.AddOrUpdate(key, list);
        }
    }

    /// <summary>Forgets every list (benchmarks of the first turn); the hit and miss counters keep running.</summary>
    public void Clear() => _lists.Clear();

    public CacheStats Stats => new(Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), _lists.Count, capacity);

    /// <summary>A list's key: a seeded 64-bit hash of its bytes (also the token count's key for the whole list).</summary>
    public static ulong Key(ReadOnlySpan<byte> source) => XxHash3.HashToUInt64(source, s_seed);
}
