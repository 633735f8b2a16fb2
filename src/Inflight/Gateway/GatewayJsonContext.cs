using System.Text.Json.Serialization;

namespace Inflight.Gateway;

/// <summary>Source-generated snake_case JSON for the gateway's own small payloads.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
