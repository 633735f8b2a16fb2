using System.Diagnostics.Metrics;
using Inflight.Tracking;

namespace Inflight.Telemetry;

/// <summary>
/// <c>inflight.requests.active</c>: an observable up-down counter by provider, model and phase, read from
/// the tracker only when a reader collects, so the request path pays nothing for it. A combination seen
/// once reports 0 when it has no active request rather than disappearing.
/// </summary>
internal sealed class ActiveRequestsGauge
{
    private readonly RequestTracker _tracker;
    private readonly TelemetryLabels _labels;
    private readonly Lock _seenLock = new();
    private readonly HashSet<(string Provider, string Model, string Phase)> _seen = [];

    public ActiveRequestsGauge(IMeterFactory meterFactory, RequestTracker tracker, TelemetryLabels labels)
    {
        _tracker = tracker;
        _labels = labels;
        meterFactory.Create(GenAiMetrics.MeterName).CreateObservableUpDownCounter(
            GenAiAttributes.ActiveRequestsMetric,
            Observe,
            unit: "{request}",
            description: "Requests in flight, by provider, model and phase (waiting for the first byte, or streaming).");
    }

    private IEnumerable<Measurement<int>> Observe()
    {
        var counts = new Dictionary<(string Provider, string Model, string Phase), int>();
        foreach (var request in _tracker.GetActiveRequests())
        {
            var key = (_labels.Provider(request.Provider), _labels.Model(request.RequestedModel), request.Phase);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        lock (_seenLock)
        {
            foreach (var key in counts.Keys)
            {
                _seen.Add(key);
            }

            var measurements = new List<Measurement<int>>(_seen.Count);
            foreach (var key in _seen)
            {
                measurements.Add(new Measurement<int>(
                    counts.GetValueOrDefault(key),
                    new KeyValuePair<string, object?>(GenAiAttributes.ProviderName, key.Provider),
                    new KeyValuePair<string, object?>(GenAiAttributes.RequestModel, key.Model),
                    new KeyValuePair<string, object?>(GenAiAttributes.Phase, key.Phase)));
            }

            return measurements;
        }
    }
}
