using Inflight.Protocols;

namespace Inflight.Gateway;

/// <summary>A gateway operation: the client's API format and where it goes upstream in each format.</summary>
internal sealed record GatewayEndpoint(string Path, ApiFormat ClientFormat, string AnthropicPath, string OpenAIPath)
{
    public static GatewayEndpoint Messages { get; } = new("/v1/messages", ApiFormat.Anthropic, "messages", "chat/completions");

    public static GatewayEndpoint ChatCompletions { get; } = new("/v1/chat/completions", ApiFormat.OpenAI, "messages", "chat/completions");

    public string UpstreamPath(ApiFormat upstreamFormat) => upstreamFormat == ApiFormat.Anthropic ? AnthropicPath : OpenAIPath;
}
