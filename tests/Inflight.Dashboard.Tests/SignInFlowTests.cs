using Inflight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Inflight.Dashboard.Tests;

public sealed class SignInFlowTests(BrowserFixture browser)
{
    private const string Key = "dashboard-test-key-7f3a";

    [Fact]
    public async Task SignIn_ProxyKeySet_FormThenLiveStreamThenSignOut()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["PROXY_API_KEY"] = Key });
        using var tracked = Traffic.Start(host.Tracker);
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);

        await dashboard.OpenAsync();

        // A form, not a loop of 401s.
        await Expect(dashboard.SignInForm).ToBeVisibleAsync();
        await Expect(dashboard.Page.Locator("#dashboard")).ToBeHiddenAsync();

        await dashboard.Page.Locator("#signin-key").FillAsync("not-the-key");
        await dashboard.Page.Locator("#signin-submit").ClickAsync();
        await Expect(dashboard.Page.Locator("#signin-error")).ToHaveTextAsync("That key is not right.");

        await dashboard.Page.Locator("#signin-key").FillAsync(Key);
        await dashboard.Page.Locator("#signin-submit").ClickAsync();

        await Expect(dashboard.Page.Locator("#dashboard")).ToBeVisibleAsync();
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");
        await Expect(dashboard.ActiveRow(tracked.RequestId)).ToBeVisibleAsync();
        var cookie = Assert.Single(await dashboard.Context.CookiesAsync(), c => c.Name == "inflight_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(Key, cookie.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, dashboard.Page.Url, StringComparison.Ordinal);
        var storage = await dashboard.Page.EvaluateAsync<string>("() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })");
        Assert.DoesNotContain(Key, storage, StringComparison.Ordinal);

        await dashboard.Page.Locator("#sign-out").ClickAsync();

        await Expect(dashboard.SignInForm).ToBeVisibleAsync();
        Assert.DoesNotContain(await dashboard.Context.CookiesAsync(), c => c.Name == "inflight_session");
        await dashboard.Page.ReloadAsync();
        await Expect(dashboard.SignInForm).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_NoProxyKey_DashboardOpensWithoutForm()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);

        await dashboard.OpenAsync();

        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");
        await Expect(dashboard.SignInForm).ToBeHiddenAsync();
        await Expect(dashboard.Page.Locator("#sign-out")).ToBeHiddenAsync();
        Assert.Empty(dashboard.Problems);
    }
}
