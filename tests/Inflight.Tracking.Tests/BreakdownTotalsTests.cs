namespace Inflight.Tracking.Tests;

public sealed class BreakdownTotalsTests
{
    [Fact]
    public void GetRunningTotals_FinishedRequests_CountedPerClientAndPerKey()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());

        Finish(tracker, client: "claude-cli", key: "ci", input: 10, output: 5);
        Finish(tracker, client: "claude-cli", key: "ci", input: 20, output: 7);
        Finish(tracker, client: "claude-cli", key: "laptop", input: 1, output: 0, error: true);
        Finish(tracker, client: null, key: null, input: 3, output: 2);

        var totals = tracker.GetRunningTotals();
        Assert.Equal(new BreakdownTotals(3, 1, 31, 12), totals.ByClient["claude-cli"]);
        Assert.Equal(new BreakdownTotals(1, 0, 3, 2), totals.ByClient[ClientNames.Unknown]);
        Assert.Equal(new BreakdownTotals(2, 0, 30, 12), totals.ByKey["ci"]);
        Assert.Equal(new BreakdownTotals(1, 1, 1, 0), totals.ByKey["laptop"]);
        Assert.Equal(new BreakdownTotals(1, 0, 3, 2), totals.ByKey["none"]);
        Assert.Equal(["claude-cli", ClientNames.Unknown], totals.ByClient.Keys);
    }

    [Fact]
    public void GetRunningTotals_LaterRequests_LeaveAnEarlierSnapshotAsItWas()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        Finish(tracker, client: "codex", key: "ci", input: 10, output: 5);
        var before = tracker.GetRunningTotals();

        Finish(tracker, client: "codex", key: "ci", input: 10, output: 5);

        Assert.Equal(new BreakdownTotals(1, 0, 10, 5), before.ByClient["codex"]);
        Assert.Equal(new BreakdownTotals(1, 0, 10, 5), before.ByKey["ci"]);
        Assert.Equal(new BreakdownTotals(2, 0, 20, 10), tracker.GetRunningTotals().ByClient["codex"]);
    }

    [Fact]
    public void GetRunningTotals_MoreClientsThanTheBound_LaterOnesCountAsOther()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        for (var i = 0; i < Breakdown.MaxNames + 3; i++)
        {
            Finish(tracker, client: $"client-{i}", key: "ci", input: 1, output: 1);
        }

        Finish(tracker, client: "client-0", key: "ci", input: 1, output: 1);

        var byClient = tracker.GetRunningTotals().ByClient;
        Assert.Equal(Breakdown.MaxNames + 1, byClient.Count);
        Assert.Equal(new BreakdownTotals(3, 0, 3, 3), byClient[Breakdown.Other]);
        Assert.Equal(new BreakdownTotals(2, 0, 2, 2), byClient["client-0"]);
        Assert.False(byClient.ContainsKey($"client-{Breakdown.MaxNames}"));
    }

    private static void Finish(RequestTracker tracker, string? client, string? key, long input, long output, bool error = false)
    {
        using var request = tracker.Start(TestRequests.Start() with { ClientName = client, KeyLabel = key });
        request.ReportUsage(inputTokens: input, outputTokens: output);
        if (error)
        {
            request.Fail(ErrorTypes.HttpError, "boom", 502);
        }
        else
        {
            request.Complete();
        }
    }
}
