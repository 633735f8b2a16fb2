using System.Globalization;
using Inflight.History;
using Inflight.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// <c>GET /metrics/history?window=1h|24h|7d&amp;step=…</c>: per-model time series read from the history store
/// (requests, errors, tokens in and out, p50/p95 duration, p50 TTFT). It shows what the store holds, so the
/// newest bucket trails live traffic by the writer's lag (one batch, normally well under a second).
/// </summary>
internal static class HistoryEndpoint
{
    /// <summary>Most points a series may have; a smaller step for a window is refused.</summary>
    public const int MaxPoints = 500;

    /// <summary>Models with their own series, the busiest first; the rest are counted in <c>omitted_models</c>.</summary>
    public const int MaxModels = 20;

    private static readonly TimeSpan MinStep = TimeSpan.FromSeconds(10);

    private static readonly (string Name, TimeSpan Length, string DefaultStep)[] Windows =
    [
        ("1h", TimeSpan.FromHours(1), "1m"),
        ("24h", TimeSpan.FromHours(24), "15m"),
        ("7d", TimeSpan.FromDays(7), "1h"),
    ];

    public static RouteGroupBuilder MapHistory(this RouteGroupBuilder group)
    {
        group.MapGet("/history", GetHistory).WithName("GetMetricsHistory");
        return group;
    }

    public static async Task<Results<JsonHttpResult<HistoryPayload>, JsonHttpResult<MetricsDisabledPayload>, JsonHttpResult<MetricsErrorPayload>>> GetHistory(
        RequestTracker tracker,
        IOptions<MetricsOptions> options,
        HistoryService history,
        [FromQuery] string? window,
        [FromQuery] string? step,
        CancellationToken cancellationToken)
    {
        if (!options.Value.LogRequestMetrics)
        {
            return TypedResults.Json(MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload);
        }

        var windowName = string.IsNullOrWhiteSpace(window) ? "1h" : window.Trim().ToLowerInvariant();
        var match = Array.FindIndex(Windows, w => w.Name == windowName);
        if (match < 0)
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("window", $"window must be 1h, 24h or 7d; got '{window}'."));
        }

        var (_, length, defaultStep) = Windows[match];
        var stepName = string.IsNullOrWhiteSpace(step) ? defaultStep : step.Trim().ToLowerInvariant();
        if (!TryParseDuration(stepName, out var stepLength))
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("step", $"step must be a duration such as 30s, 5m, 1h or 1d; got '{step}'."));
        }

        var points = (int)Math.Ceiling(length / stepLength);
        if (stepLength < MinStep || stepLength > length || points > MaxPoints)
        {
            var smallest = TimeSpan.FromTicks(Math.Max(MinStep.Ticks, length.Ticks / MaxPoints));
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter(
                "step",
                $"step for window {windowName} must be from {Format(smallest)} to {windowName} (at most {MaxPoints} points); got '{step}'."));
        }

        if (history.Store is not { } store)
        {
            return TypedResults.Json(MetricsDisabledPayload.HistoryOff, MetricsJsonContext.Default.MetricsDisabledPayload);
        }

        // Buckets on multiples of the step, the last one holding now: the same request stays in the same bucket from poll to poll.
        var stepSeconds = stepLength.TotalSeconds;
        var now = tracker.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var to = (Math.Floor(now / stepSeconds) + 1) * stepSeconds;
        var from = to - (points * stepSeconds);
        IReadOnlyList<StoredSeriesPoint> rows;
        try
        {
            rows = await store.ReadSeriesAsync(new SeriesQuery(from, stepSeconds, points), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return TypedResults.Json(
                new MetricsErrorPayload("history_unavailable", "The history store could not be read: " + ex.Message, null),
                MetricsJsonContext.Default.MetricsErrorPayload,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var timestamps = new double[points];
        for (var i = 0; i < points; i++)
        {
            timestamps[i] = from + (i * stepSeconds);
        }

        var byModel = new Dictionary<string, HistorySeries>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = row.Provider + ":" + row.Model;
            if (!byModel.TryGetValue(key, out var series))
            {
                series = new HistorySeries(key, row.Provider, row.Model, new long[points], new long[points], new long[points], new long[points], new double?[points], new double?[points], new double?[points]);
                byModel.Add(key, series);
            }

            var b = row.Bucket;
            series.Requests[b] = row.Requests;
            series.Errors[b] = row.Errors;
            series.InputTokens[b] = row.InputTokens;
            series.OutputTokens[b] = row.OutputTokens;
            series.P50DurationMs[b] = row.P50DurationMs;
            series.P95DurationMs[b] = row.P95DurationMs;
            series.P50TtftMs[b] = row.P50TtftMs;
        }

        var busiest = byModel.Values.OrderByDescending(s => s.Requests.Sum()).ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
        var kept = busiest.Take(MaxModels).ToList();
        return TypedResults.Json(
            new HistoryPayload(windowName, stepName, stepSeconds, from, to, timestamps, kept, busiest.Count - kept.Count),
            MetricsJsonContext.Default.HistoryPayload);
    }

    /// <summary>A whole number followed by s, m, h or d.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            return false;
        }

        duration = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(count),
            'm' => TimeSpan.FromMinutes(count),
            'h' => TimeSpan.FromHours(count),
            'd' => TimeSpan.FromDays(count),
            _ => default,
        };
        return duration > TimeSpan.Zero;
    }

    private static string Format(TimeSpan span)
        => span.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(span.TotalSeconds):0}s")
            : span.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(span.TotalMinutes):0}m")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(span.TotalHours):0}h");
}
