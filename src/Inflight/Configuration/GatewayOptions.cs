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

    /// <summary>How long a write to the client may make no progress before both sides are closed.</summary>
    public TimeSpan ClientWriteTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long in-flight requests may run on after shutdown begins, before they are ended as <c>shutdown</c>.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>When set, every gateway and metrics call must carry it.</summary>
    public string? ProxyApiKey { get; set; }

    /// <summary><c>PROXY_API_KEYS="alice:key1,ci:key2"</c>: more client keys, each with the label requests are attributed to.</summary>
    public Dictionary<string, string> LabelledProxyKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Wrong or missing keys one client address may send per <see cref="AuthFailureWindow"/> before 429s (<c>AUTH_FAILURE_LIMIT</c>; 0 is off).</summary>
    public int AuthFailureLimit { get; set; } = 10;

    /// <summary>How long an address's used-up failures take to come back (<c>AUTH_FAILURE_WINDOW</c>).</summary>
    public TimeSpan AuthFailureWindow { get; set; } = TimeSpan.FromSeconds(60);

    public bool DemoMode { get; set; }

    /// <summary><c>INFLIGHT_ALLOW_UNAUTHENTICATED</c>: listening beyond loopback without <see cref="ProxyApiKey"/> was asked for.</summary>
    public bool AllowUnauthenticated { get; set; }

    /// <summary>Settings that were set but not used (a stray <c>GEMINI_API_KEY</c>), one line each for the start-up block.</summary>
    internal List<string> Notices { get; } = [];

    /// <summary>Host names answered besides the loopback names (<c>ALLOWED_HOSTS</c>; <c>HOST</c> when it is a specific address).</summary>
    public List<string> AllowedHosts { get; } = [];

    /// <summary>Proxies (addresses and CIDR ranges) whose X-Forwarded-For / X-Forwarded-Proto are believed (<c>TRUSTED_PROXIES</c>).</summary>
    public List<System.Net.IPNetwork> TrustedProxies { get; } = [];

    /// <summary><c>COOKIE_SECURE=true</c>: the session cookie is always <c>Secure</c>, whatever the request's scheme.</summary>
    public bool CookieSecure { get; set; }

    /// <summary><c>ALLOWED_HOSTS=*</c>: any Host header is answered (behind a proxy that checks it).</summary>
    public bool AllowAnyHost { get; set; }

    /// <summary>Problems found while reading settings; reported all at once by the validator.</summary>
    internal List<string> LoadErrors { get; } = [];
}
