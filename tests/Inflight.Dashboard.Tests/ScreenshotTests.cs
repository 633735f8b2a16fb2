using System.Text.RegularExpressions;
using Inflight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Inflight.Dashboard.Tests;

/// <summary>
/// The dashboard under the demo's synthetic traffic, end to end. The screenshots land in the test
/// output; with INFLIGHT_UPDATE_SCREENSHOTS=1 they also replace docs/images/dashboard*.png.
/// </summary>
public sealed partial class ScreenshotTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("light", "dashboard.png")]
    [InlineData("dark", "dashboard-dark.png")]
    public async Task Dashboard_DemoTraffic_ShowsLiveRowsAndFigures(string colorScheme, string fileName)
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?>
        {
            ["DEMO_TRAFFIC"] = "true",
            ["DEMO_TRAFFIC_RPS"] = "4",
            ["DEMO_TRAFFIC_MAX_CONCURRENCY"] = "10",
        });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress, colorScheme, width: 1440, height: 1500);

        await dashboard.OpenAsync();

        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");
        await Expect(dashboard.ActiveCount).ToHaveTextAsync(AtLeastFour(), new() { Timeout = 30_000 });
        await Expect(dashboard.Page.Locator("#fig-requests")).ToHaveTextAsync(AtLeastTwenty(), new() { Timeout = 60_000 });
        await Expect(dashboard.Page.Locator("#fig-rpm")).Not.ToHaveTextAsync("—", new() { Timeout = 30_000 });
        await Expect(dashboard.Page.Locator("#recent-grid .ag-row[row-id]").First).ToBeVisibleAsync();
        await Expect(dashboard.Page.Locator("#tokens-empty")).ToBeHiddenAsync();
        Assert.Empty(dashboard.Problems);

        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await dashboard.Page.ScreenshotAsync(new() { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        if (Environment.GetEnvironmentVariable("INFLIGHT_UPDATE_SCREENSHOTS") == "1")
        {
            File.Copy(path, Path.Combine(RepositoryRoot(), "docs", "images", fileName), overwrite: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Inflight.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Inflight.slnx not found above the test output.");
    }

    [GeneratedRegex(@"^([4-9]|\d\d+)$")]
    private static partial Regex AtLeastFour();

    [GeneratedRegex(@"^([2-9]\d|\d{3,}|\d+(\.\d)?K)$")]
    private static partial Regex AtLeastTwenty();
}
