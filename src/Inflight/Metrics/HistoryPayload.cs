namespace Inflight.Metrics;

/// <summary>
/// The body of <c>GET /metrics/history</c>: one point per step from <see cref="From"/> to <see cref="To"/> (epoch
/// seconds, buckets aligned to multiples of the step); <see cref="Timestamps"/> are the buckets' starts and every
/// series has one value per timestamp.
/// </summary>
internal sealed record HistoryPayload(
    string Window,
    string Step,
    double StepSeconds,
    double From,
    double To,
    IReadOnlyList<double> Timestamps,
    IReadOnlyList<HistorySeries> Models,
    int OmittedModels);

/// <summary>
/// One model's series, keyed <c>provider:model</c>. Counts are 0 and percentiles null in a bucket without requests;
/// percentiles are nearest-rank over the bucket's requests (TTFT over those that got a first byte).
/// </summary>
internal sealed record HistorySeries(
    string Key,
    string Provider,
    string Model,
    long[] Requests,
    long[] Errors,
    long[] InputTokens,
    long[] OutputTokens,
    double?[] P50DurationMs,
    double?[] P95DurationMs,
    double?[] P50TtftMs);
