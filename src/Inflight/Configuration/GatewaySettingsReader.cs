using System.Globalization;
using Inflight.Protocols;
using Microsoft.Extensions.Options;

namespace Inflight.Configuration;

/// <summary>
/// Fills <see cref="GatewayOptions"/> from flat environment-style settings, the way the spec's proxy
/// reads them: <c>{NAME}_API_KEY</c> declares provider <c>name</c>, with <c>{NAME}_BASE_URL</c>,
/// <c>{NAME}_API_FORMAT</c>, <c>{NAME}_MAX_OUTPUT_TOKENS</c> and <c>{NAME}_ALIAS_{ALIAS}</c>.
/// </summary>
internal sealed class GatewaySettingsReader(IConfiguration configuration) : IConfigureOptions<GatewayOptions>
{
    public const string DemoModeKey = "INFLIGHT_DEMO";
    private const string ApiKeySuffix = "_API_KEY";

    /// <summary>Settings that end in _API_KEY but do not declare a provider.</summary>
    /// <summary>No model produces more than this in one answer; a larger setting is a typo.</summary>
    private const long MaxOutputTokensCeiling = 10_000_000;

    private static readonly HashSet<string> s_reservedNames = new(StringComparer.OrdinalIgnoreCase) { "PROXY" };

    private static readonly Dictionary<string, (string BaseUrl, ApiFormat Format)> s_knownProviders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = ("https://api.openai.com/v1", ApiFormat.OpenAI),
        ["anthropic"] = ("https://api.anthropic.com/v1", ApiFormat.Anthropic),
        ["openrouter"] = ("https://openrouter.ai/api/v1", ApiFormat.OpenAI),
        ["groq"] = ("https://api.groq.com/openai/v1", ApiFormat.OpenAI),
        ["deepseek"] = ("https://api.deepseek.com/v1", ApiFormat.OpenAI),
        ["mistral"] = ("https://api.mistral.ai/v1", ApiFormat.OpenAI),
        ["together"] = ("https://api.together.xyz/v1", ApiFormat.OpenAI),
        ["ollama"] = ("http://127.0.0.1:11434/v1", ApiFormat.OpenAI),
    };

    public void Configure(GatewayOptions options)
    {
        var errors = options.LoadErrors;
        options.Host = string.IsNullOrWhiteSpace(configuration["HOST"]) ? "127.0.0.1" : configuration["HOST"]!.Trim();

        var port = configuration["PORT"];
        if (!string.IsNullOrWhiteSpace(port))
        {
            if (int.TryParse(port, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
            {
                options.Port = p;
            }
            else
            {
                errors.Add($"PORT must be a whole number from 0 to 65535; got '{port}'.");
            }
        }

        options.RequestTimeout = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, "REQUEST_TIMEOUT", 90, errors));
        options.StreamPingInterval = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, "STREAM_PING_INTERVAL", 10, errors));
        options.MaxRequestBytes = SettingParsers.ReadPositiveLong(configuration, "MAX_REQUEST_BYTES", 32L * 1024 * 1024, errors);
        options.ProxyApiKey = string.IsNullOrEmpty(configuration["PROXY_API_KEY"]) ? null : configuration["PROXY_API_KEY"];
        ReadLabelledKeys(options, configuration["PROXY_API_KEYS"], errors);
        options.DemoMode = SettingParsers.ReadBool(configuration, DemoModeKey, false, errors);

        ReadProviders(options, errors);

        if (options.DemoMode && !options.Providers.ContainsKey(GatewayOptions.DemoProviderName))
        {
            options.Providers[GatewayOptions.DemoProviderName] = new ProviderOptions
            {
                Name = GatewayOptions.DemoProviderName,
                ApiKey = "demo",
                BaseUrl = new Uri("http://demo.inflight.invalid/v1"),
                Format = ApiFormat.Anthropic,
                IsDemo = true,
                Aliases = ReadAliases(GatewayOptions.DemoProviderName),
            };
        }

        var defaultProvider = configuration["VDM_DEFAULT_PROVIDER"]?.Trim();
        if (!string.IsNullOrEmpty(defaultProvider))
        {
            options.DefaultProvider = defaultProvider.ToLowerInvariant();
            if (!options.Providers.ContainsKey(options.DefaultProvider))
            {
                errors.Add($"VDM_DEFAULT_PROVIDER names '{defaultProvider}', which is not configured; configured providers: {Describe(options.Providers.Keys)}.");
            }
        }
        else
        {
            options.DefaultProvider = PickDefault(options);
        }

        if (options.Providers.Count == 0)
        {
            errors.Add("No provider is configured: set {NAME}_API_KEY (for example OPENAI_API_KEY or ANTHROPIC_API_KEY), or run with --demo.");
        }
    }

    /// <summary><c>PROXY_API_KEYS</c>: comma-separated <c>label:key</c> pairs; labels and keys unique. Errors never echo a key.</summary>
    private static void ReadLabelledKeys(GatewayOptions options, string? raw, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return;
        }

        var index = 0;
        foreach (var pair in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            index++;
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            var label = colon < 0 ? "" : pair[..colon].Trim();
            var key = colon < 0 ? "" : pair[(colon + 1)..].Trim();
            if (label.Length == 0 || key.Length == 0)
            {
                errors.Add($"PROXY_API_KEYS entry {index} must be 'label:key' with both parts non-empty.");
            }
            else if (label.Length > 64 || !label.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add($"PROXY_API_KEYS entry {index}: the label must be 1 to 64 letters, digits, '-', '_' or '.'.");
            }
            else if (label == ProxyKeyLabels.Default)
            {
                errors.Add($"PROXY_API_KEYS entry {index}: the label '{ProxyKeyLabels.Default}' is reserved for PROXY_API_KEY.");
            }
            else if (options.LabelledProxyKeys.ContainsKey(label))
            {
                errors.Add($"PROXY_API_KEYS names the label '{label}' twice.");
            }
            else if (options.LabelledProxyKeys.ContainsValue(key) || key == options.ProxyApiKey)
            {
                errors.Add($"PROXY_API_KEYS entry {index} ('{label}') repeats a key already configured; each key must be unique.");
            }
            else
            {
                options.LabelledProxyKeys[label] = key;
            }
        }
    }

    private void ReadProviders(GatewayOptions options, List<string> errors)
    {
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null || key.Contains(':', StringComparison.Ordinal) || !key.EndsWith(ApiKeySuffix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var upperName = key[..^ApiKeySuffix.Length];
            if (upperName.Length == 0 || s_reservedNames.Contains(upperName) || string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            var name = upperName.ToLowerInvariant();
            s_knownProviders.TryGetValue(name, out var known);

            var format = known.BaseUrl is null ? ApiFormat.OpenAI : known.Format;
            var formatKey = upperName.ToUpperInvariant() + "_API_FORMAT";
            var rawFormat = configuration[formatKey];
            if (!string.IsNullOrWhiteSpace(rawFormat) && !ApiFormatNames.TryParse(rawFormat, out format))
            {
                errors.Add($"{formatKey} must be 'openai' or 'anthropic'; got '{rawFormat}'.");
            }

            var baseUrlKey = upperName.ToUpperInvariant() + "_BASE_URL";
            var rawBaseUrl = configuration[baseUrlKey];
            Uri? baseUrl = null;
            if (!string.IsNullOrWhiteSpace(rawBaseUrl))
            {
                if (!Uri.TryCreate(rawBaseUrl.Trim(), UriKind.Absolute, out baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"{baseUrlKey} must be an absolute http(s) URL; got '{rawBaseUrl}'.");
                    baseUrl = null;
                }
            }
            else if (known.BaseUrl is not null)
            {
                baseUrl = new Uri(known.BaseUrl);
            }
            else
            {
                errors.Add($"{baseUrlKey} is required for provider '{name}' (only {Describe(s_knownProviders.Keys)} have a default base URL).");
            }

            var maxOutputKey = upperName.ToUpperInvariant() + "_MAX_OUTPUT_TOKENS";
            int? maxOutputTokens = null;
            if (!string.IsNullOrWhiteSpace(configuration[maxOutputKey]))
            {
                var limit = SettingParsers.ReadPositiveLong(configuration, maxOutputKey, 0, errors);
                if (limit > MaxOutputTokensCeiling)
                {
                    errors.Add($"{maxOutputKey} must be at most {MaxOutputTokensCeiling}; got '{configuration[maxOutputKey]}'.");
                }
                else if (limit > 0)
                {
                    maxOutputTokens = (int)limit;
                }
            }

            if (baseUrl is null)
            {
                continue;
            }

            options.Providers[name] = new ProviderOptions
            {
                Name = name,
                ApiKey = value,
                BaseUrl = baseUrl,
                Format = format,
                Aliases = ReadAliases(name),
                MaxOutputTokens = maxOutputTokens,
            };
        }
    }

    private Dictionary<string, string> ReadAliases(string providerName)
    {
        var prefix = providerName.ToUpperInvariant() + "_ALIAS_";
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (!string.IsNullOrWhiteSpace(value) && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && key.Length > prefix.Length)
            {
                aliases[key[prefix.Length..]] = value.Trim();
            }
        }

        return aliases;
    }

    private static string PickDefault(GatewayOptions options)
    {
        if (options.DemoMode)
        {
            return GatewayOptions.DemoProviderName;
        }

        foreach (var preferred in new[] { "openai", "anthropic", "openrouter" })
        {
            if (options.Providers.ContainsKey(preferred))
            {
                return preferred;
            }
        }

        return options.Providers.Keys.Order(StringComparer.Ordinal).FirstOrDefault() ?? "";
    }

    internal static string Describe(IEnumerable<string> names) => string.Join(", ", names.Order(StringComparer.Ordinal));
}
