using Inflight.History;
using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// Adds what the history store holds to a running-totals snapshot: stored per-model sums and single log entries
/// join the snapshot's models (capped per provider as the tracker caps them), then providers and the summary
/// are summed again from the models.
/// </summary>
internal sealed class StoredTotalsMerge(string? providerFilter, string? modelGlob, int maxModelsPerProvider)
{
    private readonly Dictionary<string, Slot> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _modelCounts = new(StringComparer.Ordinal);

    /// <summary>Starts from the snapshot's models (already filtered and capped by the tracker).</summary>
    public void AddSnapshotModels(RunningTotalsSnapshot snapshot)
    {
        foreach (var (key, node) in snapshot.Models)
        {
            var colon = key.IndexOf(':', StringComparison.Ordinal);
            var provider = colon < 0 ? key : key[..colon];
            Find(provider, colon < 0 ? key : key[(colon + 1)..], key).Add(node.Streaming, node.NonStreaming);
        }
    }

    public void Add(StoredModelTotals row)
    {
        var qualified = row.Provider + ":" + row.Model;
        if (!RequestTracker.MatchesTotalsFilter(row.Provider, row.Model, qualified, providerFilter, modelGlob))
        {
            return;
        }

        var figures = new UsageTotals
        {
            TotalRequests = row.Requests,
            TotalErrors = row.Errors,
            InputTokens = row.InputTokens,
            OutputTokens = row.OutputTokens,
            CacheReadTokens = row.CacheReadTokens,
            CacheCreationTokens = row.CacheCreationTokens,
            ToolUses = row.ToolUses,
            ToolResults = row.ToolResults,
            ToolCalls = row.ToolCalls,
            TotalDurationMs = row.DurationMsSum,
            TtftCount = row.TtftCount,
            TotalTtftMs = row.TtftMsSum,
        };
        Find(row.Provider, row.Model, qualified).Add(row.IsStreaming ? figures : Empty, row.IsStreaming ? Empty : figures);
    }

    public void Add(RequestLogEntry entry)
    {
        var qualified = entry.Provider + ":" + entry.Model;
        if (!RequestTracker.MatchesTotalsFilter(entry.Provider, entry.Model, qualified, providerFilter, modelGlob))
        {
            return;
        }

        var figures = new UsageTotals
        {
            TotalRequests = 1,
            TotalErrors = entry.Status == RequestStatus.Error ? 1 : 0,
            InputTokens = entry.InputTokens,
            OutputTokens = entry.OutputTokens,
            CacheReadTokens = entry.CacheReadTokens,
            CacheCreationTokens = entry.CacheCreationTokens,
            ToolUses = entry.ToolUses,
            ToolResults = entry.ToolResults,
            ToolCalls = entry.ToolCalls,
            TotalDurationMs = entry.DurationMs,
            TtftCount = entry.TtftMs is null ? 0 : 1,
            TotalTtftMs = entry.TtftMs ?? 0,
        };
        Find(entry.Provider, entry.Model, qualified).Add(entry.IsStreaming ? figures : Empty, entry.IsStreaming ? Empty : figures);
    }

    /// <summary>The snapshot with its models, providers and summary replaced by the merged ones.</summary>
    public RunningTotalsSnapshot ApplyTo(RunningTotalsSnapshot snapshot)
    {
        var models = new SortedDictionary<string, TotalsNode>(StringComparer.Ordinal);
        var providers = new SortedDictionary<string, Slot>(StringComparer.Ordinal);
        var summary = new Slot("");
        foreach (var (key, slot) in _models)
        {
            models.Add(key, slot.ToNode());
            if (!providers.TryGetValue(slot.Provider, out var provider))
            {
                provider = new Slot(slot.Provider);
                providers.Add(slot.Provider, provider);
            }

            provider.Add(slot.Streaming, slot.NonStreaming);
            summary.Add(slot.Streaming, slot.NonStreaming);
        }

        var providerNodes = new SortedDictionary<string, TotalsNode>(StringComparer.Ordinal);
        foreach (var (name, slot) in providers)
        {
            providerNodes.Add(name, slot.ToNode());
        }

        return snapshot with { Summary = summary.ToNode(), Providers = providerNodes, Models = models };
    }

    private static readonly UsageTotals Empty = new();

    private Slot Find(string provider, string model, string qualified)
    {
        if (_models.TryGetValue(qualified, out var slot))
        {
            return slot;
        }

        var key = qualified;
        if (model != RequestTracker.OtherModel)
        {
            if (_modelCounts.GetValueOrDefault(provider) >= maxModelsPerProvider)
            {
                key = provider + ":" + RequestTracker.OtherModel;
            }
            else
            {
                _modelCounts[provider] = _modelCounts.GetValueOrDefault(provider) + 1;
            }
        }

        if (!_models.TryGetValue(key, out slot))
        {
            slot = new Slot(provider);
            _models.Add(key, slot);
        }

        return slot;
    }

    private sealed class Slot(string provider)
    {
        public string Provider { get; } = provider;

        public UsageTotals Streaming { get; private set; } = Empty;

        public UsageTotals NonStreaming { get; private set; } = Empty;

        public void Add(UsageTotals streaming, UsageTotals nonStreaming)
        {
            Streaming = UsageTotals.Plus(Streaming, streaming);
            NonStreaming = UsageTotals.Plus(NonStreaming, nonStreaming);
        }

        public TotalsNode ToNode() => TotalsNode.From(UsageTotals.Plus(Streaming, NonStreaming), Streaming, NonStreaming);
    }
}
