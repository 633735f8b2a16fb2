namespace Inflight.Protocols.Translation;

/// <summary>
/// How well <see cref="LocalTokenCounter"/>'s cache is doing: lookups that found a block's count (hits),
/// lookups that had to tokenize (misses), and how many block counts it holds out of its capacity.
/// </summary>
public sealed record TokenCountCacheStats(long Hits, long Misses, int Entries, int Capacity)
{
    public static readonly TokenCountCacheStats None = new(0, 0, 0, 0);
}
