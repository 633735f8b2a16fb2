using System.Text.Json.Serialization;

namespace Inflight.Dashboard;

/// <summary>What <c>GET /dashboard/api/session</c> answers: whether a key is needed and whether this browser has a session.</summary>
internal sealed record SessionStatus(bool AuthRequired, bool SignedIn);

/// <summary>The body of <c>POST /dashboard/api/session</c>.</summary>
internal sealed record SignInRequest(string? Key);

/// <summary>An error of the dashboard API (<c>{"error":...,"message":...}</c>, like the metrics endpoints).</summary>
internal sealed record DashboardError(string Error, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SessionStatus))]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(DashboardError))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
