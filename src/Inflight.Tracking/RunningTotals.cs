namespace Inflight.Tracking;

/// <summary>
/// Totals of finalized requests, kept per <c>provider:model</c> only; provider and overall figures are
/// summed when a snapshot is taken, so recording costs one dictionary lookup and filters stay consistent.
/// Not thread-safe: the tracker guards it with the same lock that removes a request from the active set.
/// </summary>
internal sealed class RunningTotals(int maxModelsPerProvider)
{
    private readonly Dictionary<string, ModelTotals> _models = new(StringComparer.Ordinal);

    // Distinct models with their own key, per provider (the 'other' bucket not included).
    private readonly Dictionary<string, int> _modelCounts = new(StringComparer.Ordinal);

    public void Record(string provider, string model, string qualifiedModel, bool isStreaming, in RequestFigures figures, bool isError)
    {
        if (!_models.TryGetValue(qualifiedModel, out var totals))
        {
            var (key, keptModel) = KeyFor(provider, model, qualifiedModel);
            if (!_models.TryGetValue(key, out totals))
            {
                totals = new ModelTotals(provider, keptModel);
                _models.Add(key, totals);
                if (!ReferenceEquals(keptModel, RequestTracker.OtherModel))
                {
                    _modelCounts[provider] = _modelCounts.GetValueOrDefault(provider) + 1;
                }
            }
        }

        (isStreaming ? totals.Streaming : totals.NonStreaming).Add(figures, isError, isStreaming);
    }

    /// <summary>The key a model's totals live under: its own, or its provider's 'other' bucket once the provider is full.</summary>
    public (string Key, string Model) KeyFor(string provider, string model, string qualifiedModel)
        => _models.ContainsKey(qualifiedModel) || _modelCounts.GetValueOrDefault(provider) < maxModelsPerProvider
            ? (qualifiedModel, model)
            : (provider + ":" + RequestTracker.OtherModel, RequestTracker.OtherModel);

    /// <summary>Copies of the model totals that pass the filters, to which the caller may add active figures.</summary>
    public Dictionary<string, ModelTotals> CopyMatching(string? providerFilter, string? modelGlob)
    {
        var copy = new Dictionary<string, ModelTotals>(_models.Count, StringComparer.Ordinal);
        foreach (var (key, totals) in _models)
        {
            if (Matches(totals.Provider, totals.Model, key, providerFilter, modelGlob))
            {
                copy.Add(key, totals.Clone());
            }
        }

        return copy;
    }

    public static bool Matches(string provider, string model, string qualifiedModel, string? providerFilter, string? modelGlob)
    {
        if (!string.IsNullOrEmpty(providerFilter) && !string.Equals(provider, providerFilter, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A glob matches the bare model ("gpt-*") or the qualified one ("openai:gpt-*").
        return string.IsNullOrEmpty(modelGlob) || ModelGlob.IsMatch(modelGlob, model) || ModelGlob.IsMatch(modelGlob, qualifiedModel);
    }

    public static RunningTotalsSnapshot BuildSnapshot(Dictionary<string, ModelTotals> models, bool includeActive, int activeRequestCount, double timestamp)
    {
        var summary = new Bucket();
        var summaryStreaming = new Bucket();
        var summaryNonStreaming = new Bucket();
        var providers = new SortedDictionary<string, ModelTotals>(StringComparer.Ordinal);
        var modelNodes = new SortedDictionary<string, TotalsNode>(StringComparer.Ordinal);
        foreach (var (key, totals) in models)
        {
            modelNodes.Add(key, totals.ToNode());
            if (!providers.TryGetValue(totals.Provider, out var provider))
            {
                provider = new ModelTotals(totals.Provider, string.Empty);
                providers.Add(totals.Provider, provider);
            }

            provider.Streaming.AddFrom(totals.Streaming);
            provider.NonStreaming.AddFrom(totals.NonStreaming);
        }

        var providerNodes = new SortedDictionary<string, TotalsNode>(StringComparer.Ordinal);
        foreach (var (name, totals) in providers)
        {
            providerNodes.Add(name, totals.ToNode());
            summaryStreaming.AddFrom(totals.Streaming);
            summaryNonStreaming.AddFrom(totals.NonStreaming);
        }

        summary.AddFrom(summaryStreaming);
        summary.AddFrom(summaryNonStreaming);
        return new RunningTotalsSnapshot
        {
            Summary = summary.ToNode(summaryStreaming.ToUsage(), summaryNonStreaming.ToUsage()),
            Providers = providerNodes,
            Models = modelNodes,
            IncludeActive = includeActive,
            ActiveRequestCount = activeRequestCount,
            Timestamp = timestamp,
        };
    }

    internal sealed class ModelTotals(string provider, string model)
    {
        public string Provider { get; } = provider;

        public string Model { get; } = model;

        public Bucket Streaming { get; } = new();

        public Bucket NonStreaming { get; } = new();

        public ModelTotals Clone()
        {
            var clone = new ModelTotals(Provider, Model);
            clone.Streaming.AddFrom(Streaming);
            clone.NonStreaming.AddFrom(NonStreaming);
            return clone;
        }

        public TotalsNode ToNode()
        {
            var all = new Bucket();
            all.AddFrom(Streaming);
            all.AddFrom(NonStreaming);
            return all.ToNode(Streaming.ToUsage(), NonStreaming.ToUsage());
        }
    }

    internal sealed class Bucket
    {
        private long _requests;
        private long _errors;
        private long _inputTokens;
        private long _outputTokens;
        private long _cacheReadTokens;
        private long _cacheCreationTokens;
        private long _toolUses;
        private long _toolResults;
        private long _toolCalls;
        private long _durationTicks;
        private long _ttftCount;
        private long _ttftTicks;

        // Created on the first request: most model buckets see only one of streaming / non-streaming traffic.
        private LatencyHistogram? _durations;
        private LatencyHistogram? _ttfts;

        /// <summary>
        /// Adds one request. TTFT counts for streamed requests only: a non-streamed answer's first byte comes with
        /// its whole body, so its "TTFT" is its duration and would drag the average towards it.
        /// </summary>
        public void Add(in RequestFigures figures, bool isError, bool streamed)
        {
            _requests++;
            _errors += isError ? 1 : 0;
            _inputTokens += figures.InputTokens;
            _outputTokens += figures.OutputTokens;
            _cacheReadTokens += figures.CacheReadTokens;
            _cacheCreationTokens += figures.CacheCreationTokens;
            _toolUses += figures.ToolUses;
            _toolResults += figures.ToolResults;
            _toolCalls += figures.ToolCalls;
            _durationTicks += figures.Duration.Ticks;
            (_durations ??= new()).Add(figures.Duration);
            if (streamed && figures.Ttft is { } ttft)
            {
                _ttftCount++;
                _ttftTicks += ttft.Ticks;
                (_ttfts ??= new()).Add(ttft);
            }
        }

        public void AddFrom(Bucket other)
        {
            _requests += other._requests;
            _errors += other._errors;
            _inputTokens += other._inputTokens;
            _outputTokens += other._outputTokens;
            _cacheReadTokens += other._cacheReadTokens;
            _cacheCreationTokens += other._cacheCreationTokens;
            _toolUses += other._toolUses;
            _toolResults += other._toolResults;
            _toolCalls += other._toolCalls;
            _durationTicks += other._durationTicks;
            _ttftCount += other._ttftCount;
            _ttftTicks += other._ttftTicks;
            if (other._durations is not null)
            {
                (_durations ??= new()).AddFrom(other._durations);
            }

            if (other._ttfts is not null)
            {
                (_ttfts ??= new()).AddFrom(other._ttfts);
            }
        }

        public UsageTotals ToUsage() => Fill(new UsageTotals());

        // 'with' clones through the record's virtual clone method, so the derived node keeps its type.
        public TotalsNode ToNode(UsageTotals streaming, UsageTotals nonStreaming)
            => (TotalsNode)Fill(new TotalsNode { Streaming = streaming, NonStreaming = nonStreaming });

        private UsageTotals Fill(UsageTotals totals)
            => totals with
            {
                TotalRequests = _requests,
                TotalErrors = _errors,
                InputTokens = _inputTokens,
                OutputTokens = _outputTokens,
                CacheReadTokens = _cacheReadTokens,
                CacheCreationTokens = _cacheCreationTokens,
                ToolUses = _toolUses,
                ToolResults = _toolResults,
                ToolCalls = _toolCalls,
                TotalDurationMs = TimeSpan.FromTicks(_durationTicks).TotalMilliseconds,
                TtftCount = _ttftCount,
                TotalTtftMs = TimeSpan.FromTicks(_ttftTicks).TotalMilliseconds,
                P50DurationMs = _durations?.Percentile(0.50),
                P95DurationMs = _durations?.Percentile(0.95),
                P50TtftMs = _ttfts?.Percentile(0.50),
                P95TtftMs = _ttfts?.Percentile(0.95),
            };
    }
}
