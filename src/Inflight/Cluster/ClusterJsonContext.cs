using System.Text.Json.Serialization;
using Inflight.Tracking;

namespace Inflight.Cluster;

/// <summary>Source-generated, snake_case JSON of what replicas exchange through Redis.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterChange))]
[JsonSerializable(typeof(RunningTotalsSnapshot))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
