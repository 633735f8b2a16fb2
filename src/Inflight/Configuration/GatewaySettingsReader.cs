using System.Globalization;
using Inflight.Protocols;
using Microsoft.Extensions.Options;

namespace Inflight.Configuration;

/// <summary>
/// Fills <see cref="GatewayOptions"/> from flat environment-style settings, the way the spec's proxy
/// reads them: <c>{NAME}_API_KEY</c> declares provider <c>name</c>, with <c>{NAME}_BASE_URL</c>,
/// <c>{NAME}_API_FORMAT</c>, <c>{NAME}_MAX_OUTPUT_TOKENS</c> and <c>{NAME}_ALIAS_{ALIAS}</c>; a local server
/// needs only <c>{NAME}_BASE_URL</c>.
/// </summary>
internal sealed class GatewaySettingsReader(IConfiguration configuration) : IConfigureOptions<GatewayOptions>
{
    public const string DemoModeKey = "INFLIGHT_DEMO";
    public const string HostKey = "HOST";
    public const string PortKey = "PORT";
    public const string ProxyApiKeyKey = "PROXY_API_KEY";
    public const string AllowUnauthenticatedKey = "INFLIGHT_ALLOW_UNAUTHENTICATED";
    private const string ApiKeySuffix = "_API_KEY";
    private const string BaseUrlSuffix = "_BASE_URL";

    /// <summary>No model produces more than this in one answer; a larger setting is a typo.</summary>
    private const long MaxOutputTokensCeiling = 10_000_000;

    /// <summary>Settings that end in _API_KEY or _BASE_URL but do not declare a provider.</summary>
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
        var port = configuration[PortKey];
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
        options.ClientWriteTimeout = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, "CLIENT_WRITE_TIMEOUT", 60, errors));
        options.ShutdownTimeout = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, "SHUTDOWN_TIMEOUT", 30, errors));
        options.MaxRequestBytes = SettingParsers.ReadPositiveLong(configuration, "MAX_REQUEST_BYTES", 32L * 1024 * 1024, errors);
        options.ProxyApiKey = string.IsNullOrEmpty(configuration[ProxyApiKeyKey]) ? null : configuration[ProxyApiKeyKey];
        ReadLabelledKeys(options, configuration["PROXY_API_KEYS"], errors);
        options.AuthFailureLimit = SettingParsers.ReadCount(configuration, "AUTH_FAILURE_LIMIT", 10, errors);
        options.AuthFailureWindow = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, "AUTH_FAILURE_WINDOW", 60, errors));
        options.DemoMode = SettingParsers.ReadBool(configuration, DemoModeKey, false, errors);
        options.AllowUnauthenticated = SettingParsers.ReadBool(configuration, AllowUnauthenticatedKey, false, errors);
        ReadHost(options, errors);
        ReadAllowedHosts(options, errors);
        ReadTrustedProxies(options, errors);
        options.CookieSecure = SettingParsers.ReadBool(configuration, "COOKIE_SECURE", false, errors);

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
            var ignored = options.Notices.Count == 0 ? "" : " Ignored: " + string.Join(" ", options.Notices);
            errors.Add("No provider is configured: set {NAME}_API_KEY (for example OPENAI_API_KEY or ANTHROPIC_API_KEY), {NAME}_BASE_URL for a local server, or run with --demo." + ignored);
        }
    }

    private void ReadAllowedHosts(GatewayOptions options, List<string> errors)
    {
        // A specific listening address is a name clients will use; the wildcards are not.
        if (System.Net.IPAddress.TryParse(options.Host.Trim('[', ']'), out var bound) && !bound.Equals(System.Net.IPAddress.Any) && !bound.Equals(System.Net.IPAddress.IPv6Any))
        {
            options.AllowedHosts.Add(options.Host.Trim('[', ']'));
        }

        foreach (var entry in (configuration["ALLOWED_HOSTS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry == "*")
            {
                options.AllowAnyHost = true;
            }
            else if (Uri.CheckHostName(entry.Trim('[', ']')) != UriHostNameType.Unknown)
            {
                options.AllowedHosts.Add(entry.Trim('[', ']'));
            }
            else
            {
                errors.Add($"ALLOWED_HOSTS must list host names or IP addresses separated by commas (no scheme, port or path), or '*'; got '{entry}'.");
            }
        }
    }

    private void ReadTrustedProxies(GatewayOptions options, List<string> errors)
    {
        foreach (var entry in (configuration["TRUSTED_PROXIES"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                options.TrustedProxies.Add(network);
            }
            else if (System.Net.IPAddress.TryParse(entry, out var address))
            {
                options.TrustedProxies.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"TRUSTED_PROXIES must list IP addresses or CIDR ranges (such as 10.0.0.0/8) separated by commas; got '{entry}'.");
            }
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

    /// <summary>An address Kestrel can bind exactly, and no open door: beyond loopback, a key is required unless waived.</summary>
    private void ReadHost(GatewayOptions options, List<string> errors)
    {
        var raw = configuration[HostKey];
        options.Host = string.IsNullOrWhiteSpace(raw) ? "127.0.0.1" : raw.Trim();
        if (!ListenHost.TryParse(options.Host, out _))
        {
            errors.Add($"HOST must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::) or localhost; got '{raw}' (Kestrel would listen on every interface for a name it cannot bind).");
        }
        else if (!ListenHost.IsLoopback(options.Host) && options.ProxyApiKey is null && !options.AllowUnauthenticated)
        {
            errors.Add(ExposedWithoutKey($"HOST={options.Host}"));
        }
    }

    /// <summary>The one-line refusal for a bind beyond loopback without <c>PROXY_API_KEY</c>.</summary>
    internal static string ExposedWithoutKey(string what)
        => $"{what} listens beyond this machine, but {ProxyApiKeyKey} is not set, so anyone who can reach it could use your provider keys. Set {ProxyApiKeyKey}, or {AllowUnauthenticatedKey}=true to run open anyway.";

    /// <summary>
    /// A provider is declared by <c>{NAME}_API_KEY</c> plus a known or given base URL, or, for a server on this
    /// machine or the local network, by <c>{NAME}_BASE_URL</c> alone. Keys and URLs that declare nothing
    /// (a <c>GEMINI_API_KEY</c> for another tool in the same shell) get a notice instead of stopping start-up.
    /// </summary>
    private void ReadProviders(GatewayOptions options, List<string> errors)
    {
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var baseUrlOnly = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (string.IsNullOrWhiteSpace(value) || key.Contains(':', StringComparison.Ordinal))
            {
                continue;
            }

            if (TryProviderName(key, ApiKeySuffix, out var upperName))
            {
                keys[upperName] = value;
            }
            else if (TryProviderName(key, BaseUrlSuffix, out upperName))
            {
                baseUrlOnly.Add(upperName);
            }
        }

        baseUrlOnly.ExceptWith(keys.Keys);
        foreach (var (upperName, key) in keys.OrderBy(k => k.Key, StringComparer.OrdinalIgnoreCase))
        {
            ReadProvider(options, upperName, key, errors);
        }

        foreach (var upperName in baseUrlOnly)
        {
            ReadProvider(options, upperName, "", errors);
        }
    }

    private static bool TryProviderName(string key, string suffix, out string upperName)
    {
        upperName = key.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? key[..^suffix.Length].ToUpperInvariant() : "";
        return upperName.Length > 0 && !s_reservedNames.Contains(upperName);
    }

    private void ReadProvider(GatewayOptions options, string upperName, string apiKey, List<string> errors)
    {
        var name = upperName.ToLowerInvariant();
        var keyless = apiKey.Length == 0;
        s_knownProviders.TryGetValue(name, out var known);
        var baseUrlKey = upperName + BaseUrlSuffix;
        var rawBaseUrl = configuration[baseUrlKey]?.Trim();
        Uri? baseUrl = null;
        if (!string.IsNullOrEmpty(rawBaseUrl)
            && (!Uri.TryCreate(rawBaseUrl, UriKind.Absolute, out baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)))
        {
            var problem = $"{baseUrlKey} must be an absolute http(s) URL; got '{rawBaseUrl}'.";
            (keyless ? options.Notices : errors).Add(keyless ? problem + " Ignored." : problem);
            return;
        }

        if (keyless)
        {
            if (baseUrl is null)
            {
                return;
            }

            // A hosted provider's *_BASE_URL alone is usually meant for a client in the same shell
            // (ANTHROPIC_BASE_URL pointing Claude Code at Inflight), not a provider declaration.
            if (known.BaseUrl is not null && !ListenHost.IsLocalNetwork(new Uri(known.BaseUrl)))
            {
                options.Notices.Add($"{baseUrlKey} is set without {upperName}{ApiKeySuffix}; provider '{name}' needs a key, so it is not configured.");
                return;
            }

            if (!ListenHost.IsLocalNetwork(baseUrl))
            {
                options.Notices.Add($"{baseUrlKey} is set without {upperName}{ApiKeySuffix} and is not on this machine or the local network; ignored (a remote provider needs {upperName}{ApiKeySuffix}).");
                return;
            }
        }
        else if (baseUrl is null)
        {
            if (known.BaseUrl is null)
            {
                options.Notices.Add($"{upperName}{ApiKeySuffix} is set, but '{name}' has no built-in base URL and {baseUrlKey} is not set; ignored (built in: {Describe(s_knownProviders.Keys)}).");
                return;
            }

            baseUrl = new Uri(known.BaseUrl);
        }

        if (PointsAtSelf(baseUrl, options))
        {
            errors.Add($"{baseUrlKey} points at Inflight itself ({baseUrl.AbsoluteUri}); set it to the provider's own address.");
            return;
        }

        var format = known.BaseUrl is null ? ApiFormat.OpenAI : known.Format;
        var formatKey = upperName + "_API_FORMAT";
        var rawFormat = configuration[formatKey];
        if (!string.IsNullOrWhiteSpace(rawFormat) && !ApiFormatNames.TryParse(rawFormat, out format))
        {
            errors.Add($"{formatKey} must be 'openai', 'anthropic' or 'responses'; got '{rawFormat}'.");
        }

        var maxOutputKey = upperName + "_MAX_OUTPUT_TOKENS";
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

        options.Providers[name] = new ProviderOptions
        {
            Name = name,
            ApiKey = apiKey,
            BaseUrl = baseUrl,
            Format = format,
            Aliases = ReadAliases(name),
            MaxOutputTokens = maxOutputTokens,
        };
    }

    /// <summary>A provider on Inflight's own port on this machine would send every request back to Inflight, forever.</summary>
    private static bool PointsAtSelf(Uri baseUrl, GatewayOptions options)
        => options.Port != 0 && baseUrl.Port == options.Port
            && (ListenHost.IsLoopback(baseUrl.Host) || baseUrl.Host.Equals(ListenHost.ForUrl(options.Host), StringComparison.OrdinalIgnoreCase));

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
