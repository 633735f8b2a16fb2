using Inflight.Protocols;

namespace Inflight.Gateway;

/// <summary>A gateway operation: the client's API format; upstream it goes to the provider format's own path.</summary>
internal sealed record GatewayEndpoint(string Path, ApiFormat ClientFormat)
{
    public static GatewayEndpoint Messages { get; } = new("/v1/messages", ApiFormat.Anthropic);

    public static GatewayEndpoint ChatCompletions { get; } = new("/v1/chat/completions", ApiFormat.OpenAI);

    public static GatewayEndpoint Responses { get; } = new("/v1/responses", ApiFormat.Responses);

    /// <summary>The path, relative to the provider's base URL, of the operation in <paramref name="upstreamFormat"/>.</summary>
    public static string UpstreamPath(ApiFormat upstreamFormat) => upstreamFormat switch
    {
        ApiFormat.Anthropic => "messages",
        ApiFormat.Responses => "responses",
        _ => "chat/completions",
    };
}
