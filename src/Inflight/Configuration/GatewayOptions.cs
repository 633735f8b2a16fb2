namespace Inflight.Configuration;

/// <summary>Where Inflight listens, which providers it knows and its request limits.</summary>
internal sealed class GatewayOptions
{
    public const string DemoProviderName = "demo";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8082;

    /// <summary>Providers by lower-case name.</summary>
    public Dictionary<string, ProviderOptions> Providers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string DefaultProvider { get; set; } = "";

    /// <summary>How long to wait for the upstream's response headers, and between stream chunks.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Gap between <c>ping</c> events on a translated Anthropic stream while the upstream is silent.</summary>
    public TimeSpan StreamPingInterval { get; set; } = TimeSpan.FromSeconds(10);

    public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>When set, every gateway and metrics call must carry it.</summary>
    public string? ProxyApiKey { get; set; }

    /// <summary><c>PROXY_API_KEYS="alice:key1,ci:key2"</c>: more client keys, each with the label requests are attributed to.</summary>
    public Dictionary<string, string> LabelledProxyKeys { get; } = new(StringComparer.Ordinal);

    public bool DemoMode { get; set; }

    /// <summary>Problems found while reading settings; reported all at once by the validator.</summary>
    internal List<string> LoadErrors { get; } = [];
}
