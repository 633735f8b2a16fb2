using System.Text.Json.Serialization;
using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>Source-generated, snake_case JSON for every metrics payload (the spec's field names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ActiveRequestsPayload))]
[JsonSerializable(typeof(MetricsDisabledPayload))]
[JsonSerializable(typeof(RunningTotalsSnapshot))]
[JsonSerializable(typeof(LogsPayload))]
[JsonSerializable(typeof(HistoryPayload))]
[JsonSerializable(typeof(MetricsErrorPayload))]
[JsonSerializable(typeof(RequestDetailPayload))]
[JsonSerializable(typeof(ActiveRequestSnapshot))]
[JsonSerializable(typeof(RequestLogEntry))]
[JsonSerializable(typeof(RemoteCancelPayload))]
internal sealed partial class MetricsJsonContext : JsonSerializerContext;
