namespace Inflight.Gateway;

/// <summary>
/// One model the gateway can route, as <c>GET /v1/models</c> lists it.
/// </summary>
/// <param name="Id"><c>provider:model</c>, the name a client sends to reach it.</param>
/// <param name="DisplayName">The provider's own name for it, or for an alias <c>alias → target</c>.</param>
/// <param name="CreatedAt">When the provider says it was released; the Unix epoch when unknown (as Anthropic does).</param>
/// <param name="Provider">The provider that serves it (OpenAI's <c>owned_by</c>).</param>
internal sealed record ModelEntry(string Id, string DisplayName, DateTimeOffset CreatedAt, string Provider);
