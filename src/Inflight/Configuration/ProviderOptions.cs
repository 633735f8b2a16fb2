using Inflight.Protocols;

namespace Inflight.Configuration;

/// <summary>One upstream provider, declared by <c>{NAME}_API_KEY</c> (or built in, for <c>demo</c>).</summary>
internal sealed record ProviderOptions
{
    /// <summary>Lower-case provider name, the prefix in <c>provider:model</c>.</summary>
    public required string Name { get; init; }

    public required string ApiKey { get; init; }

    /// <summary>Base URL including the API version path, e.g. <c>https://api.openai.com/v1</c>.</summary>
    public required Uri BaseUrl { get; init; }

    public required ApiFormat Format { get; init; }

    /// <summary>True for the built-in demo provider, which answers both formats natively in-process.</summary>
    public bool IsDemo { get; init; }

    /// <summary>Model aliases from <c>{NAME}_ALIAS_{ALIAS}=target</c>: alias (upper-case as written) → target model.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>{NAME}_MAX_OUTPUT_TOKENS</c>: the output-token limit of this provider's models, to which translated
    /// requests clamp max_tokens; null uses the table of known model families.
    /// </summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>True when the provider can take a request in <paramref name="clientFormat"/> without translation.</summary>
    public bool Speaks(ApiFormat clientFormat) => IsDemo || Format == clientFormat;
}
