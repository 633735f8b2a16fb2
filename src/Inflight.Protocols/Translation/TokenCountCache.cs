using BitFaster.Caching.Lru;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Token counts of content blocks, keyed by a 128-bit hash of the block's bytes: a bounded, thread-safe LRU
/// (BitFaster's <see cref="ConcurrentLru{K, V}"/>: lock-free lookups, hit and miss counters striped per core).
/// </summary>
/// <remarks>
/// Memory is bounded by the entry count: an entry holds no text, only the key, the count and the LRU's
/// bookkeeping (about 120 bytes), so <see cref="DefaultCapacity"/> entries take about 4 MB.
/// </remarks>
internal sealed class TokenCountCache(int capacity)
{
    /// <summary>About 4 MB; a long Claude Code conversation has a few hundred blocks.</summary>
    public const int DefaultCapacity = 32_768;

    private readonly ConcurrentLru<UInt128, int> _counts = new(capacity);

    public bool TryGet(UInt128 key, out int count) => _counts.TryGet(key, out count);

    public void Add(UInt128 key, int count) => _counts.AddOrUpdate(key, count);

    /// <summary>Forgets every count (benchmarks of the first turn); the hit and miss counters keep running.</summary>
    public void Clear() => _counts.Clear();

    public CacheStats Stats
    {
        get
        {
            var metrics = _counts.Metrics.Value;
            return new(metrics?.Hits ?? 0, metrics?.Misses ?? 0, _counts.Count, capacity);
        }
    }
}
