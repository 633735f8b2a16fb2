using System.Diagnostics;
using System.Diagnostics.Metrics;
using Inflight.Tracking;

namespace Inflight.Telemetry;

/// <summary>
/// The OpenTelemetry GenAI client metrics, recorded once per finished request from the tracker's
/// finish path: a few histogram records, nothing when no exporter listens.
/// </summary>
internal sealed class GenAiMetrics : IRequestObserver
{
    public const string MeterName = "Inflight";

    // Bucket advice from the GenAI semantic conventions.
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] FirstChunkBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private readonly TelemetryLabels _labels;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstChunk;

    public GenAiMetrics(IMeterFactory meterFactory, TelemetryLabels labels)
    {
        _labels = labels;
        var meter = meterFactory.Create(MeterName);
        _tokenUsage = meter.CreateHistogram(
            GenAiAttributes.TokenUsageMetric,
            unit: "{token}",
            description: "Number of input and output tokens used.",
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _duration = meter.CreateHistogram(
            GenAiAttributes.DurationMetric,
            unit: "s",
            description: "GenAI operation duration.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timeToFirstChunk = meter.CreateHistogram(
            GenAiAttributes.TimeToFirstChunkMetric,
            unit: "s",
            description: "Time to receive the first chunk of a streamed response.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FirstChunkBuckets });
    }

    public void OnFinished(TrackedRequest request, RequestLogEntry entry)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { GenAiAttributes.OperationName, GenAiAttributes.ChatOperation },
            { GenAiAttributes.ProviderName, _labels.Provider(entry.Provider) },
            { GenAiAttributes.RequestModel, _labels.Model(entry.RequestedModel) },
            { GenAiAttributes.ResponseModel, _labels.Model(entry.Model) },
        };

        if (entry.InputTokens > 0)
        {
            var tokenTags = tags;
            tokenTags.Add(GenAiAttributes.TokenType, GenAiAttributes.InputTokenType);
            _tokenUsage.Record(entry.InputTokens, tokenTags);
        }

        if (entry.OutputTokens > 0)
        {
            var tokenTags = tags;
            tokenTags.Add(GenAiAttributes.TokenType, GenAiAttributes.OutputTokenType);
            _tokenUsage.Record(entry.OutputTokens, tokenTags);
        }

        if (entry.ErrorType is { } errorType)
        {
            tags.Add(GenAiAttributes.ErrorType, errorType);
        }

        _duration.Record(entry.DurationMs / 1000.0, tags);

        // The conventions report time to first chunk for streamed calls only.
        if (entry.IsStreaming && entry.TtftMs is { } ttft)
        {
            _timeToFirstChunk.Record(ttft / 1000.0, tags);
        }
    }
}
