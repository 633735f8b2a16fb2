using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// Resolves <c>provider:model</c> (prefix picks the provider and is stripped) or a bare model (the
/// default provider), then applies the provider's aliases: a model whose name contains an alias
/// (case-insensitive) becomes the alias's target; an exact match beats a substring, a longer alias a shorter.
/// </summary>
internal sealed class ModelRouter(IOptions<GatewayOptions> options)
{
    private readonly GatewayOptions _options = options.Value;

    public bool TryResolve(string requestedModel, out ModelRoute? route, out string? error)
    {
        var model = requestedModel.Trim();
        var providerName = _options.DefaultProvider;
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var prefix = model[..colon];
            if (_options.Providers.ContainsKey(prefix))
            {
                providerName = prefix;
                model = model[(colon + 1)..];
            }
            else if (!LooksLikeModelTag(model, colon))
            {
                route = null;
                error = $"Unknown provider '{Shorten(prefix)}' in model '{Shorten(requestedModel)}'. Configured providers: {GatewaySettingsReader.Describe(_options.Providers.Keys)}.";
                return false;
            }
        }

        if (!_options.Providers.TryGetValue(providerName, out var provider))
        {
            route = null;
            error = $"No provider for model '{Shorten(requestedModel)}': no default provider is configured. Use 'provider:model' with one of: {GatewaySettingsReader.Describe(_options.Providers.Keys)}.";
            return false;
        }

        route = new ModelRoute(provider, requestedModel, ApplyAlias(provider, model));
        error = null;
        return true;
    }

    /// <summary>Client-chosen names in error messages are cut: an error must not echo a megabyte back.</summary>
    internal static string Shorten(string value, int maxLength = 80)
        => value.Length <= maxLength ? value : string.Concat(value.AsSpan(0, char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength), "…");

    /// <summary>
    /// A colon is also how local servers tag models (<c>llama3:8b</c>, <c>qwen2.5:latest</c>): a prefix that
    /// is not a provider counts as part of the model name when it has a '.' or '/' or the tag starts with a
    /// digit; anything else is an unknown provider (404), so typos are not silently sent to the default.
    /// </summary>
    private static bool LooksLikeModelTag(string model, int colon)
        => model.AsSpan(0, colon).IndexOfAny("./") >= 0 || (colon + 1 < model.Length && char.IsDigit(model[colon + 1]));

    internal static string ApplyAlias(ProviderOptions provider, string model)
    {
        if (provider.Aliases.Count == 0)
        {
            return model;
        }

        string? best = null;
        foreach (var (alias, target) in provider.Aliases)
        {
            if (alias.Equals(model, StringComparison.OrdinalIgnoreCase))
            {
                return target;
            }

            if (model.Contains(alias, StringComparison.OrdinalIgnoreCase) && (best is null || alias.Length > best.Length))
            {
                best = alias;
            }
        }

        return best is null ? model : provider.Aliases[best];
    }
}
