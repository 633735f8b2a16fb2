using System.Text.Json.Serialization;

namespace Inflight.Metrics;

/// <summary>Source-generated, snake_case JSON for every metrics payload (the spec's field names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ActiveRequestsPayload))]
[JsonSerializable(typeof(MetricsDisabledPayload))]
internal sealed partial class MetricsJsonContext : JsonSerializerContext;
