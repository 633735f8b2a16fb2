using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tracking.Tests;

/// <summary>Client-chosen strings cannot grow the tracker without bound.</summary>
public sealed class TrackerBoundsTests
{
    private readonly FakeTimeProvider _clock = TestRequests.NewClock();

    [Fact]
    public void Start_HugeModelName_KeepsOnlyACappedPrefix()
    {
        var tracker = new RequestTracker(_clock);
        var huge = new string('m', 256 * 1024);

        using (var request = tracker.Start(TestRequests.Start(model: huge)))
        {
            var active = Assert.Single(tracker.GetActiveRequests());
            Assert.True(active.RequestedModel.Length <= TrackerOptions.DefaultMaxClientStringLength + 1);
            Assert.True(active.ResolvedModel.Length <= TrackerOptions.DefaultMaxClientStringLength + 1);
            Assert.StartsWith("mmmm", active.ResolvedModel, StringComparison.Ordinal);
            request.Fail(ErrorTypes.BadRequest, new string('e', 100_000), 400);
        }

        var error = Assert.Single(tracker.GetRecentErrors());
        Assert.True(error.RequestedModel.Length <= TrackerOptions.DefaultMaxClientStringLength + 1);
        Assert.True(error.QualifiedModel.Length <= TrackerOptions.DefaultMaxClientStringLength + 10);
        Assert.True(error.ErrorMessage!.Length <= TrackerOptions.DefaultMaxErrorMessageLength + 1);
        Assert.True(tracker.GetRunningTotals().Models.Keys.Single().Length <= TrackerOptions.DefaultMaxClientStringLength + 10);
    }

    [Fact]
    public void Start_CappedAtASurrogatePair_DoesNotSplitIt()
    {
        var tracker = new RequestTracker(_clock, new TrackerOptions { MaxClientStringLength = 3 });
        using var request = tracker.Start(TestRequests.Start(model: "ab\U0001F600cdef"));

        var model = Assert.Single(tracker.GetActiveRequests()).ResolvedModel;

        Assert.Equal("ab…", model);
    }

    [Fact]
    public void GetRunningTotals_FiftyThousandDistinctModels_FoldsBeyondTheCapIntoOther()
    {
        var tracker = new RequestTracker(_clock);
        const int Requests = 50_000;
        for (var i = 0; i < Requests; i++)
        {
            using var request = tracker.Start(TestRequests.Start(model: "model-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            request.ReportUsage(inputTokens: 2, outputTokens: 3);
            request.Complete();
        }

        var totals = tracker.GetRunningTotals();

        Assert.Equal(TrackerOptions.DefaultMaxModelsPerProvider + 1, totals.Models.Count);
        var other = totals.Models["openai:" + RequestTracker.OtherModel];
        Assert.Equal(Requests - TrackerOptions.DefaultMaxModelsPerProvider, other.TotalRequests);
        Assert.Equal(Requests, totals.Summary.TotalRequests);
        Assert.Equal(2L * Requests, totals.Summary.InputTokens);
        Assert.Equal(3L * Requests, totals.Providers["openai"].OutputTokens);
        Assert.Single(tracker.GetRunningTotals(modelGlob: "model-0").Models);
    }

    [Fact]
    public void GetRunningTotals_ActiveRequestOfAFoldedModel_CountsUnderOther()
    {
        var tracker = new RequestTracker(_clock, new TrackerOptions { MaxModelsPerProvider = 1 });
        tracker.Start(TestRequests.Start(model: "first")).Complete();
        using var active = tracker.Start(TestRequests.Start(model: "second"));

        var totals = tracker.GetRunningTotals(includeActive: true);

        Assert.Equal(["openai:first", "openai:" + RequestTracker.OtherModel], totals.Models.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, totals.Models["openai:" + RequestTracker.OtherModel].TotalRequests);
    }
}
