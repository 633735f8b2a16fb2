using System.Net;
using System.Net.Sockets;

namespace Inflight.Tests.Hosting;

/// <summary>The published gateway and the installed tool, run as separate processes from unrelated folders.</summary>
[Collection(PackagedAppCollection.Name)]
public sealed class PackagedAppTests(PackagedApp app)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ChildProcess StartPublished(string workingDirectory, Dictionary<string, string?> environment, params string[] arguments)
        => ChildProcess.Start(ChildProcess.Dotnet, [Path.Combine(app.PublishDirectory, "Inflight.dll"), .. arguments], workingDirectory, environment);

    private static async Task<Uri> DashboardUrlAsync(ChildProcess process)
    {
        var line = await process.WaitForLineAsync(l => l.TrimStart().StartsWith("Dashboard ", StringComparison.Ordinal), s_timeout);
        return new Uri(line.Trim()["Dashboard".Length..].Trim());
    }

    [Fact]
    public async Task Published_RunFromUnrelatedDirectory_ServesDashboardWithHeaders()
    {
        var workingDirectory = app.NewWorkingDirectory();
        await using var process = StartPublished(workingDirectory, new() { ["PORT"] = "0", ["DEMO_TRAFFIC"] = "false" }, "--demo");
        var dashboard = await DashboardUrlAsync(process);
        using var client = new HttpClient();

        using var page = await client.GetAsync(dashboard, Ct);
        using var script = await client.GetAsync(new Uri(dashboard, "js/app.js"), Ct);
        using var library = await client.GetAsync(new Uri(dashboard, "../lib/ag-grid-community/36.2.0/ag-grid-community.min.js"), Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.OK, library.StatusCode);
        foreach (var response in new[] { page, script, library })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        Assert.True(page.Headers.CacheControl?.NoCache);
        Assert.True(script.Headers.CacheControl?.NoCache);
        Assert.Contains("immutable", library.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(workingDirectory, "wwwroot")));
    }

    [Fact]
    public async Task Published_HistoryInWorkingDirectory_WatchesNoFiles()
    {
        // Settings are read once: a file watcher on the working directory would wake on every history write to inflight.db there.
        var workingDirectory = app.NewWorkingDirectory();
        await using var process = StartPublished(workingDirectory, new() { ["PORT"] = "0" }, "--demo");
        var dashboard = await DashboardUrlAsync(process);
        using var client = new HttpClient();
        using var health = await client.GetAsync(new Uri(dashboard, "/health"), Ct);

        var watchers = Directory.GetFiles($"/proc/{process.Id}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Count(target => target?.Contains("inotify", StringComparison.Ordinal) == true);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(File.Exists(Path.Combine(workingDirectory, "inflight.db")));
        Assert.Equal(0, watchers);
    }

    [Fact]
    public async Task StartupBlock_KeysFromWorkingDirectoryDotEnv_NamesDashboardAndMasksKeys()
    {
        const string openAiKey = "sk-test-0123456789abcdefWXYZ";
        const string proxyKey = "proxy-secret-key-5678";
        var workingDirectory = app.NewWorkingDirectory();
        await File.WriteAllTextAsync(Path.Combine(workingDirectory, ".env"), $"OPENAI_API_KEY={openAiKey}\nPROXY_API_KEY={proxyKey}\nOPENAI_ALIAS_CLAUDE_HAIKU=gpt-4o-mini\n", Ct);
        await using var process = StartPublished(workingDirectory, new() { ["PORT"] = "0", ["GEMINI_API_KEY"] = "stray-key-for-another-tool" });

        var dashboard = await DashboardUrlAsync(process);
        await process.WaitForLineAsync(l => l.TrimStart().StartsWith("Settings ", StringComparison.Ordinal), s_timeout);
        var block = process.Output;

        Assert.Equal("/dashboard/", dashboard.AbsolutePath);
        Assert.Contains("https://api.openai.com/v1", block, StringComparison.Ordinal);
        Assert.Contains("key ****WXYZ", block, StringComparison.Ordinal);
        Assert.Contains("CLAUDE_HAIKU -> gpt-4o-mini", block, StringComparison.Ordinal);
        Assert.Contains("Auth        on", block, StringComparison.Ordinal);
        Assert.Contains(".env " + Path.Combine(workingDirectory, ".env"), block, StringComparison.Ordinal);
        Assert.Contains("GEMINI_API_KEY is set", block, StringComparison.Ordinal);
        Assert.DoesNotContain(openAiKey, block + process.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(proxyKey, block + process.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("stray-key-for-another-tool", block + process.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NonLoopbackHostWithoutKey_RefusesInOneLine()
    {
        await using var process = StartPublished(app.NewWorkingDirectory(), new() { ["HOST"] = "0.0.0.0", ["PORT"] = "0" }, "--demo");

        var exitCode = await process.WaitForExitAsync(s_timeout);

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(process.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("HOST=0.0.0.0", line, StringComparison.Ordinal);
        Assert.Contains("PROXY_API_KEY", line, StringComparison.Ordinal);
        Assert.Contains("INFLIGHT_ALLOW_UNAUTHENTICATED=true", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Listening", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PortInUse_SaysSoInOneLine()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var process = StartPublished(app.NewWorkingDirectory(), new() { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "--demo");

        var exitCode = await process.WaitForExitAsync(s_timeout);

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(process.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"Port {port}", line, StringComparison.Ordinal);
        Assert.Contains("PORT", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output + process.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_InstalledFromLocalFeed_AnswersHelpVersionAndRunsDemo()
    {
        var workingDirectory = app.NewWorkingDirectory();

        var version = await ChildProcess.RunAsync(app.ToolPath, ["--version"], workingDirectory, s_timeout);
        var help = await ChildProcess.RunAsync(app.ToolPath, ["--help"], workingDirectory, s_timeout);
        await using var demo = ChildProcess.Start(app.ToolPath, ["--demo"], workingDirectory, new Dictionary<string, string?> { ["PORT"] = "0", ["DEMO_TRAFFIC"] = "false" });
        var dashboard = await DashboardUrlAsync(demo);
        using var client = new HttpClient();
        using var health = await client.GetAsync(new Uri(dashboard, "/health"), Ct);
        var probe = await ChildProcess.RunAsync(app.ToolPath, ["--health-check"], workingDirectory, s_timeout, new Dictionary<string, string?> { ["PORT"] = dashboard.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.StartsWith("inflight " + PackagedApp.Version, version, StringComparison.Ordinal);
        foreach (var setting in Inflight.Configuration.SettingsTable.All)
        {
            Assert.Contains(Inflight.Configuration.SettingsTable.Plain(setting.Name), help, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"demo\":true", await health.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("Demo        the demo provider is simulated", demo.Output, StringComparison.Ordinal);
        Assert.EndsWith("/health: 200\n", probe, StringComparison.Ordinal);
    }
}
