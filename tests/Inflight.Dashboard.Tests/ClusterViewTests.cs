using System.Net;
using System.Net.Sockets;
using Inflight.Dashboard.Tests.Infrastructure;
using Inflight.Tests.Cluster;
using Inflight.Tracking;
using static Microsoft.Playwright.Assertions;

namespace Inflight.Dashboard.Tests;

/// <summary>
/// Cluster mode on the dashboard: with a Redis that cannot be reached (the view is this replica's only), and with a
/// real redis-server and two in-process replicas.
/// </summary>
public sealed class ClusterViewTests(BrowserFixture browser)
{
    [Fact]
    public async Task Dashboard_ClusterModeWithRedisUnreachable_ShowsPartialNoticeAndReplicaColumn()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?>
        {
            ["REDIS_URL"] = $"redis://127.0.0.1:{ClosedLoopbackPort()}/0",
            ["INFLIGHT_REPLICA_ID"] = "dash-1",
        });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();

        await Expect(dashboard.Page.Locator("#cluster-partial")).ToBeVisibleAsync();
        await Expect(dashboard.Page.Locator("#cluster-partial-text")).ToContainTextAsync("this replica's requests only");
        await Expect(dashboard.ActiveGrid.Locator(".ag-header-cell[col-id='replica']")).ToBeVisibleAsync();
        await Expect(dashboard.Page.Locator("#fig-active-sub")).ToContainTextAsync("1 replica");
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task Dashboard_ClusterMode_DrawerAndRecentRequestsNameTheReplica()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?>
        {
            ["REDIS_URL"] = $"redis://127.0.0.1:{ClosedLoopbackPort()}/0",
            ["INFLIGHT_REPLICA_ID"] = "dash-1",
        });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        using var tracked = Traffic.Start(host.Tracker);
        var requestId = tracked.RequestId;

        await dashboard.ActiveCell(requestId, "model").First.ClickAsync();
        var drawer = dashboard.Page.Locator("#drawer");
        await Expect(drawer.Locator("dd[data-field='Replica']")).ToHaveTextAsync("dash-1 (this replica)");

        tracked.Complete();
        await Expect(drawer.Locator("dd[data-field='State']")).ToHaveTextAsync("finished", new() { Timeout = 15_000 });
        await Expect(drawer.Locator("dd[data-field='Replica']")).ToHaveTextAsync("dash-1 (this replica)");
        var recent = dashboard.Page.Locator($"#recent-grid .ag-row[row-id='{requestId}'] [col-id='replica']");
        await Expect(recent).ToHaveTextAsync("dash-1", new() { Timeout = 15_000 });
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task Drawer_RowOfAnotherReplicasRequest_ShowsItsDetailAndOwner()
    {
        await using var redis = await TempRedis.StartNewAsync();
        await using var owner = DashboardHost.Start(new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url, ["INFLIGHT_REPLICA_ID"] = "dash-a" });
        await using var viewer = DashboardHost.Start(new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url, ["INFLIGHT_REPLICA_ID"] = "dash-b" });
        await using var dashboard = await browser.NewPageAsync(viewer.BaseAddress);
        await dashboard.OpenAsync();
        using var tracked = owner.Tracker.Start(new RequestStart
        {
            Provider = "demo",
            RequestedModel = "demo-sonnet",
            ResolvedModel = "demo-sonnet",
            IsStreaming = true,
            ClientFormat = "anthropic",
            UpstreamFormat = "anthropic",
            ClientName = "claude-cli",
            ClientVersion = "2.1.332",
        });
        var requestId = tracked.RequestId;

        // The viewer's grid lists the owner's request; its row opens the drawer with the owner's detail.
        await Expect(dashboard.ActiveCell(requestId, "replica").First).ToHaveTextAsync("dash-a", new() { Timeout = 30_000 });
        await dashboard.ActiveCell(requestId, "model").First.ClickAsync();
        var drawer = dashboard.Page.Locator("#drawer");
        await Expect(drawer.Locator("dd[data-field='State']")).ToHaveTextAsync("active", new() { Timeout = 15_000 });
        await Expect(drawer.Locator("dd[data-field='Replica']")).ToHaveTextAsync("dash-a (another replica; as it last published)");
        await Expect(drawer.Locator("dd[data-field='Client']")).ToHaveTextAsync("claude-cli 2.1.332");
        await Expect(drawer.Locator("dd[data-field='received_at']")).Not.ToHaveTextAsync("—");

        // Finished on the owner: the drawer follows it into the viewer's recent log, which names the replica.
        tracked.Complete();
        await Expect(drawer.Locator("dd[data-field='State']")).ToHaveTextAsync("finished", new() { Timeout = 30_000 });
        await Expect(drawer.Locator("dd[data-field='Replica']")).ToHaveTextAsync("dash-a (another replica; as it last published)");
        await Expect(dashboard.Page.Locator($"#recent-grid .ag-row[row-id='{requestId}'] [col-id='replica']")).ToHaveTextAsync("dash-a", new() { Timeout = 15_000 });
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task Dashboard_NoRedisUrl_HasNoReplicaColumnOrClusterNotice()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();

        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");
        await Expect(dashboard.Page.Locator("#cluster-partial")).ToBeHiddenAsync();
        await Expect(dashboard.ActiveGrid.Locator(".ag-header-cell[col-id='replica']")).ToHaveCountAsync(0);

        // A finished request without a replica leaves the recent-requests grid without the column.
        using (var tracked = Traffic.Start(host.Tracker))
        {
            tracked.Complete();
            await Expect(dashboard.Page.Locator($"#recent-grid .ag-row[row-id='{tracked.RequestId}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        }

        await Expect(dashboard.Page.Locator("#recent-grid .ag-header-cell[col-id='replica']")).ToHaveCountAsync(0);
    }

    /// <summary>A loopback port nothing listens on (taken, then released).</summary>
    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
