using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// Resolves <c>provider:model</c> (prefix picks the provider and is stripped) or a bare model (the
/// default provider), then applies the provider's aliases: a model whose name contains an alias as whole
/// words (case-insensitive, <c>_</c> matching <c>-</c>) becomes the alias's target; an exact match beats a
/// contained one, a longer alias a shorter.
/// </summary>
internal sealed class ModelRouter(IOptions<GatewayOptions> options)
{
    private static readonly System.Buffers.SearchValues<char> s_letters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

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
    /// A colon is also how local servers tag models (<c>llama3:8b</c>, <c>llama3:latest</c>, <c>mistral:instruct</c>):
    /// a prefix that is not a provider is part of the model name when it has a '.' or '/', or when what follows
    /// looks like a tag (starts with a digit, or is one word of letters). Anything else (<c>opnai:gpt-4o</c>) is
    /// an unknown provider (404), so typos are not silently sent to the default.
    /// </summary>
    private static bool LooksLikeModelTag(string model, int colon)
    {
        var tag = model.AsSpan(colon + 1);
        return model.AsSpan(0, colon).IndexOfAny("./") >= 0
            || (tag.Length > 0 && (char.IsAsciiDigit(tag[0]) || !tag.ContainsAnyExcept(s_letters)));
    }

    internal static string ApplyAlias(ProviderOptions provider, string model)
    {
        if (provider.Aliases.Count == 0)
        {
            return model;
        }

        string? best = null;
        foreach (var (alias, target) in provider.Aliases)
        {
            if (alias.Length == model.Length && MatchesAt(model, 0, alias))
            {
                return target;
            }

            if ((best is null || alias.Length > best.Length) && ContainsWords(model, alias))
            {
                best = alias;
            }
        }

        return best is null ? model : provider.Aliases[best];
    }

    /// <summary>
    /// True when <paramref name="alias"/> occurs in <paramref name="model"/> starting and ending at word
    /// boundaries (the ends, or one of <c>- _ . : / @</c> and space), so <c>SON</c> does not match <c>person</c>
    /// or <c>sonnet</c>, while <c>CLAUDE_HAIKU</c> matches <c>claude-haiku-4-5</c>.
    /// </summary>
    private static bool ContainsWords(string model, string alias)
    {
        for (var start = 0; start + alias.Length <= model.Length; start++)
        {
            var end = start + alias.Length;
            if ((start == 0 || IsWordSeparator(model[start - 1])) && (end == model.Length || IsWordSeparator(model[end])) && MatchesAt(model, start, alias))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Case-insensitive, with '_' and '-' the same character: environment names cannot contain '-'.</summary>
    private static bool MatchesAt(string model, int start, string alias)
    {
        for (var i = 0; i < alias.Length; i++)
        {
            var m = model[start + i];
            var a = alias[i];
            if (char.ToLowerInvariant(m) != char.ToLowerInvariant(a) && !(m is '-' or '_' && a is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWordSeparator(char c) => c is '-' or '_' or '.' or ':' or '/' or '@' or ' ';
}
