using Inflight.Tracking;

namespace Inflight.Cluster;

/// <summary>
/// Running totals across replicas: the sum of every replica's own cumulative totals (each replica writes its
/// tracker's totals to Redis; a dead replica's last write stays, and its lost requests are added as errors).
/// Filters apply per <c>provider:model</c> entry, exactly as the tracker applies them.
/// </summary>
internal static class ClusterTotals
{
    /// <summary>
    /// <paramref name="local"/> is this replica's tracker totals with the filters already applied; the others are
    /// unfiltered and filtered here. <paramref name="remoteActive"/> are the other replicas' active requests.
    /// </summary>
    public static RunningTotalsSnapshot Sum(
        RunningTotalsSnapshot local,
        IEnumerable<RunningTotalsSnapshot> others,
        IReadOnlyList<ActiveRequestSnapshot> remoteActive,
        string? providerFilter,
        string? modelGlob,
        bool includeActive)
    {
        var models = new SortedDictionary<string, TotalsNode>(local.Models.ToDictionary(), StringComparer.Ordinal);
        var byClient = new Dictionary<string, BreakdownTotals>(local.ByClient);
        var byKey = new Dictionary<string, BreakdownTotals>(local.ByKey);
        var authByRoute = new Dictionary<string, long>(local.AuthFailures.ByRoute);
        long stalled = local.StalledRequests, recovered = local.StalledRecovered, authTotal = local.AuthFailures.Total;
        foreach (var other in others)
        {
            foreach (var (key, node) in other.Models)
            {
                var colon = key.IndexOf(':', StringComparison.Ordinal);
                var provider = colon < 0 ? key : key[..colon];
                var model = colon < 0 ? key : key[(colon + 1)..];
                if (RunningTotals.Matches(provider, model, key, providerFilter, modelGlob))
                {
                    models[key] = models.TryGetValue(key, out var held) ? Add(held, node) : node;
                }
            }

            Merge(byClient, other.ByClient);
            Merge(byKey, other.ByKey);
            foreach (var (route, count) in other.AuthFailures.ByRoute)
            {
                authByRoute[route] = authByRoute.GetValueOrDefault(route) + count;
            }

            authTotal += other.AuthFailures.Total;
            stalled += other.StalledRequests;
            recovered += other.StalledRecovered;
        }

        var activeMatching = local.ActiveRequestCount;
        var matchingActive = remoteActive.Where(a => RunningTotals.Matches(a.Provider, a.Model, a.QualifiedModel, providerFilter, modelGlob)).ToList();
        activeMatching += matchingActive.Count;
        if (includeActive)
        {
            foreach (var (key, node) in FromRequests(matchingActive, isError: false, 0).Models)
            {
                models[key] = models.TryGetValue(key, out var held) ? Add(held, node) : node;
            }
        }

        return Build(models, includeActive, activeMatching, local.Timestamp) with
        {
            StalledRequests = stalled,
            StalledRecovered = recovered,
            ByClient = new SortedDictionary<string, BreakdownTotals>(byClient, StringComparer.Ordinal),
            ByKey = new SortedDictionary<string, BreakdownTotals>(byKey, StringComparer.Ordinal),
            AuthFailures = new AuthFailureTotals(authTotal, new SortedDictionary<string, long>(authByRoute, StringComparer.Ordinal)),
        };
    }

    /// <summary>Totals of a set of requests (each counted once, as an error or not), keyed like the tracker's.</summary>
    public static RunningTotalsSnapshot FromRequests(IEnumerable<ActiveRequestSnapshot> requests, bool isError, double timestamp)
    {
        var models = new SortedDictionary<string, TotalsNode>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            var usage = new UsageTotals
            {
                TotalRequests = 1,
                TotalErrors = isError ? 1 : 0,
                InputTokens = request.InputTokens,
                OutputTokens = request.OutputTokens,
                CacheReadTokens = request.CacheReadTokens,
                CacheCreationTokens = request.CacheCreationTokens,
                ToolUses = request.ToolUses,
                ToolResults = request.ToolResults,
                ToolCalls = request.ToolCalls,
                TotalDurationMs = request.DurationMs,
                TtftCount = request.TtftMs is null ? 0 : 1,
                TotalTtftMs = request.TtftMs ?? 0,
            };
            var node = TotalsNode.From(usage, request.IsStreaming ? usage : new UsageTotals(), request.IsStreaming ? new UsageTotals() : usage);
            var key = request.Provider + ":" + request.Model;
            models[key] = models.TryGetValue(key, out var held) ? Add(held, node) : node;
        }

        return Build(models, includeActive: false, 0, timestamp);
    }

    private static RunningTotalsSnapshot Build(SortedDictionary<string, TotalsNode> models, bool includeActive, int activeRequestCount, double timestamp)
    {
        var providers = new SortedDictionary<string, TotalsNode>(StringComparer.Ordinal);
        TotalsNode? summary = null;
        foreach (var (key, node) in models)
        {
            var colon = key.IndexOf(':', StringComparison.Ordinal);
            var provider = colon < 0 ? key : key[..colon];
            providers[provider] = providers.TryGetValue(provider, out var held) ? Add(held, node) : node;
            summary = summary is null ? node : Add(summary, node);
        }

        return new RunningTotalsSnapshot
        {
            Summary = summary ?? TotalsNode.From(new UsageTotals(), new UsageTotals(), new UsageTotals()),
            Providers = providers,
            Models = models,
            IncludeActive = includeActive,
            ActiveRequestCount = activeRequestCount,
            Timestamp = timestamp,
        };
    }

    private static void Merge(Dictionary<string, BreakdownTotals> into, IReadOnlyDictionary<string, BreakdownTotals> from)
    {
        foreach (var (name, totals) in from)
        {
            into[name] = into.TryGetValue(name, out var held)
                ? new BreakdownTotals(held.TotalRequests + totals.TotalRequests, held.TotalErrors + totals.TotalErrors, held.InputTokens + totals.InputTokens, held.OutputTokens + totals.OutputTokens)
                : totals;
        }
    }

    private static TotalsNode Add(TotalsNode a, TotalsNode b)
        => TotalsNode.From(UsageTotals.Plus(a, b), UsageTotals.Plus(a.Streaming, b.Streaming), UsageTotals.Plus(a.NonStreaming, b.NonStreaming));
}
