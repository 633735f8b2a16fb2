using System.Globalization;
using Inflight.Configuration;

namespace Inflight.Hosting;

/// <summary>
/// <c>inflight --health-check</c>: asks a running Inflight for <c>/health</c>. The container's HEALTHCHECK
/// uses it, since the ASP.NET runtime image has no curl or wget.
/// </summary>
internal static class HealthProbe
{
    public static async Task<int> RunAsync(TextWriter output)
    {
        var host = Environment.GetEnvironmentVariable(GatewaySettingsReader.HostKey)?.Trim();
        var port = Environment.GetEnvironmentVariable(GatewaySettingsReader.PortKey)?.Trim();

        // A wildcard bind answers on loopback; a specific address only on itself.
        if (string.IsNullOrEmpty(host) || host is "0.0.0.0" or "::" or "[::]" || ListenHost.IsLoopback(host))
        {
            host = "127.0.0.1";
        }

        var url = new Uri($"http://{ListenHost.ForUrl(host)}:{(string.IsNullOrEmpty(port) ? 8082.ToString(CultureInfo.InvariantCulture) : port)}/health");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(url);
            await output.WriteLineAsync($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await output.WriteLineAsync($"{url}: {ex.Message}");
            return 1;
        }
    }
}
