using Inflight.Configuration;

namespace Inflight.Gateway;

/// <summary>Where a requested model goes: the provider and the model name sent upstream.</summary>
internal sealed record ModelRoute(ProviderOptions Provider, string RequestedModel, string ResolvedModel);
