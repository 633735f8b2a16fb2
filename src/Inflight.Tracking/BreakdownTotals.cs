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

    private readonly Dictionary<string, BreakdownTotals> _totals = new(StringComparer.Ordinal);

    public void Add(string name, in RequestFigures figures, bool isError)
    {
        if (!_totals.ContainsKey(name) && _totals.Count >= MaxNames)
        {
            name = Other;
        }

        var current = _totals.GetValueOrDefault(name) ?? new BreakdownTotals(0, 0, 0, 0);
        _totals[name] = new BreakdownTotals(
            current.TotalRequests + 1,
            current.TotalErrors + (isError ? 1 : 0),
            current.InputTokens + figures.InputTokens,
            current.OutputTokens + figures.OutputTokens);
    }

    public IReadOnlyDictionary<string, BreakdownTotals> Snapshot() => new SortedDictionary<string, BreakdownTotals>(_totals, StringComparer.Ordinal);
}
