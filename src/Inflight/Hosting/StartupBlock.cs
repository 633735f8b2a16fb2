using System.Globalization;
using System.Reflection;
using System.Text;
using Inflight.Configuration;
using Inflight.Protocols;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Inflight.Hosting;

/// <summary>
/// The short block printed once the gateway listens: version, where it listens and where the dashboard is,
/// each provider (key masked to its last 4 characters), default provider, aliases, auth, which files the
/// settings came from, and what demo mode simulates. It never prints a secret.
/// </summary>
internal static class StartupBlock
{
    private const int LabelWidth = 12;

    public static string Version { get; } = ReadVersion();

    public static string Describe(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var block = Describe(
            addresses,
            app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value,
            app.Services.GetRequiredService<IOptions<DemoOptions>>().Value,
            app.Services.GetRequiredService<SettingsSources>());
        if (app.Services.GetService<IOptions<Cluster.ClusterOptions>>()?.Value is { Enabled: true } cluster)
        {
            var text = new StringBuilder(block);
            Line(text, "Cluster", $"replica {cluster.ReplicaId} on {cluster.RedisDisplay}, heartbeat {cluster.Heartbeat.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (docs/cluster.md)");
            block = text.ToString();
        }

        return block;
    }

    internal static string Describe(IReadOnlyList<string> addresses, GatewayOptions gateway, DemoOptions demo, SettingsSources sources)
    {
        var text = new StringBuilder();
        text.Append("Inflight ").Append(Version).Append('\n');
        Line(text, "Listening", addresses.Count == 0 ? "(no address)" : string.Join(", ", addresses));
        if (addresses.Count > 0)
        {
            Line(text, "Dashboard", BrowsableUrl(addresses[0]) + "/dashboard/");
        }

        var providers = gateway.Providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var nameWidth = providers.Max(p => p.Name.Length);
        var urlWidth = providers.Max(p => p.IsDemo ? 0 : p.BaseUrl.AbsoluteUri.Length);
        var label = "Providers";
        foreach (var provider in providers)
        {
            var description = provider.IsDemo
                ? $"{provider.Name.PadRight(nameWidth)}  {"both",-9}  {"simulated in-process".PadRight(urlWidth)}  no key"
                : $"{provider.Name.PadRight(nameWidth)}  {provider.Format.ToWireName(),-9}  {provider.BaseUrl.AbsoluteUri.PadRight(urlWidth)}  {MaskKey(provider.ApiKey)}";
            Line(text, label, description);
            label = "";
        }

        Line(text, "Default", string.IsNullOrEmpty(gateway.DefaultProvider) ? "none (models need a provider: prefix)" : gateway.DefaultProvider + " (for models without a provider: prefix)");
        var aliases = providers.Where(p => p.Aliases.Count > 0)
            .Select(p => p.Name + ": " + string.Join(", ", p.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} -> {a.Value}")))
            .ToList();
        Line(text, "Aliases", aliases.Count == 0 ? "none" : aliases[0]);
        foreach (var more in aliases.Skip(1))
        {
            Line(text, "", more);
        }

        var exposed = !ListenHost.IsLoopback(gateway.Host) || addresses.Any(a => !ListenHost.IsLoopback(HostOf(a)));
        Line(text, "Auth", gateway.ProxyApiKey is not null
            ? "on (PROXY_API_KEY on /v1/* and /metrics/*; the dashboard asks for it)"
            : exposed
                ? "OFF. WARNING: listening beyond loopback without PROXY_API_KEY (INFLIGHT_ALLOW_UNAUTHENTICATED=true): anyone who can reach this port can use the providers above"
                : "off (loopback only; set PROXY_API_KEY before listening on other addresses)");
        Line(text, "Settings", DescribeSources(sources));
        if (gateway.DemoMode)
        {
            Line(text, "Demo", DescribeDemo(demo));
        }

        foreach (var notice in gateway.Notices)
        {
            Line(text, "Notice", notice);
        }

        return text.ToString();
    }

    /// <summary>The last 4 characters, and only when the key is long enough that they give nothing away.</summary>
    internal static string MaskKey(string key)
        => key.Length == 0 ? "no key" : key.Length < 12 ? "key ****" : "key ****" + key[^4..];

    private static string DescribeSources(SettingsSources sources)
    {
        var parts = new List<string>();
        parts.AddRange(sources.JsonFiles);
        parts.Add(sources.DotEnvPath is null ? $"no .env in {sources.DotEnvDirectory}" : $".env {sources.DotEnvPath}");
        parts.Add("environment");
        return string.Join("; ", parts) + " (later wins)";
    }

    private static string DescribeDemo(DemoOptions demo)
    {
        var c = CultureInfo.InvariantCulture;
        var simulated = string.Create(c, $"the demo provider is simulated in-process (no network, no keys): first token after {demo.MinTimeToFirstToken.TotalMilliseconds:0}-{demo.MaxTimeToFirstToken.TotalMilliseconds:0} ms, {demo.MinTokensPerSecond:0.#}-{demo.MaxTokensPerSecond:0.#} tokens/s, {demo.ErrorRate:0.#%} errors, {demo.RateLimitRate:0.#%} rate limits, {demo.StreamBreakRate:0.#%} broken streams");
        return demo.Traffic
            ? simulated + string.Create(c, $"; synthetic traffic {demo.TrafficRequestsPerSecond:0.##} requests/s (DEMO_TRAFFIC=false stops it)")
            : simulated + "; no synthetic traffic (DEMO_TRAFFIC=false)";
    }

    /// <summary>A wildcard bind is reachable from this machine as loopback.</summary>
    private static string BrowsableUrl(string address)
    {
        var host = HostOf(address);
        return host is "0.0.0.0" or "[::]" or "::" or "+" or "*" ? address.Replace("//" + host, "//localhost", StringComparison.Ordinal) : address.TrimEnd('/');
    }

    private static string HostOf(string address)
    {
        var start = address.IndexOf("//", StringComparison.Ordinal) + 2;
        var end = address.LastIndexOf(':');
        return end > start ? address[start..end] : address[start..];
    }

    private static void Line(StringBuilder text, string label, string value)
        => text.Append("  ").Append(label.PadRight(LabelWidth)).Append(value).Append('\n');

    private static string ReadVersion()
    {
        var version = typeof(StartupBlock).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

        // The SDK appends "+<commit>"; the short form is enough to tell builds apart.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus] + " (" + version[(plus + 1)..Math.Min(version.Length, plus + 8)] + ")";
    }
}
