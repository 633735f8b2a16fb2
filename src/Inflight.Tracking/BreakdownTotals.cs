using System.Runtime.InteropServices;

namespace Inflight.Tracking;

/// <summary>Finished requests of one client or one key (<c>by_client</c>, <c>by_key</c> in running totals).</summary>
public sealed record BreakdownTotals(long TotalRequests, long TotalErrors, long InputTokens, long OutputTokens);

/// <summary>Rejected keys on <c>/v1/*</c> and <c>/metrics/*</c>: how many, and per route pattern.</summary>
public sealed record AuthFailureTotals(long Total, IReadOnlyDictionary<string, long> ByRoute);

/// <summary>Bounded per-name counters for the breakdowns: past <see cref="MaxNames"/> names, new ones count as "other".</summary>
internal sealed class Breakdown
{
    public const int MaxNames = 64;
    public const string Other = "other";

    // Counted in place (a struct per name): a finished request allocates nothing here; a snapshot copies the counts out.
    private readonly Dictionary<string, Counts> _totals = new(StringComparer.Ordinal);

    public void Add(string name, in RequestFigures figures, bool isError)
    {
        if (!_totals.ContainsKey(name) && _totals.Count >= MaxNames)
        {
            name = Other;
        }

        ref var counts = ref CollectionsMarshal.GetValueRefOrAddDefault(_totals, name, out _);
        counts.TotalRequests++;
        counts.TotalErrors += isError ? 1 : 0;
        counts.InputTokens += figures.InputTokens;
        counts.OutputTokens += figures.OutputTokens;
    }

    public IReadOnlyDictionary<string, BreakdownTotals> Snapshot()
    {
        var snapshot = new SortedDictionary<string, BreakdownTotals>(StringComparer.Ordinal);
        foreach (var (name, counts) in _totals)
        {
            snapshot.Add(name, new BreakdownTotals(counts.TotalRequests, counts.TotalErrors, counts.InputTokens, counts.OutputTokens));
        }

        return snapshot;
    }

    private struct Counts
    {
        public long TotalRequests;
        public long TotalErrors;
        public long InputTokens;
        public long OutputTokens;
    }
}
