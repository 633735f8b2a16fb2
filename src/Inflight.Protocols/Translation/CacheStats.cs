namespace Inflight.Protocols.Translation;

/// <summary>
/// How well one of translation's caches is doing (<see cref="LocalTokenCounter"/>'s block counts, the translated tool
/// lists): lookups that found an entry (hits), lookups that had to compute it (misses), and how many entries it holds
/// out of its capacity.
/// </summary>
public sealed record CacheStats(long Hits, long Misses, int Entries, int Capacity)
{
    public static readonly CacheStats None = new(0, 0, 0, 0);
}
