using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tracking.Tests;

public sealed class RunningTotalsTests
{
    private readonly FakeTimeProvider _clock = TestRequests.NewClock();
    private readonly RequestTracker _tracker;

    public RunningTotalsTests()
    {
        _tracker = new RequestTracker(_clock);
    }

    [Fact]
    public void GetRunningTotals_Empty_AllZero()
    {
        var totals = _tracker.GetRunningTotals();

        Assert.Equal(0, totals.Summary.TotalRequests);
        Assert.Equal(0, totals.Summary.AverageDurationMs);
        Assert.Null(totals.Summary.AverageTtftMs);
        Assert.Empty(totals.Providers);
        Assert.Empty(totals.Models);
    }

    [Fact]
    public void GetRunningTotals_MixedTraffic_SplitsByProviderModelAndStreaming()
    {
        Finish("openai", "gpt-4o", streaming: true, input: 10, output: 20, durationMs: 100, ttftMs: 40);
        Finish("openai", "gpt-4o", streaming: false, input: 1, output: 2, durationMs: 300);
        Finish("openai", "gpt-4o-mini", streaming: true, input: 5, output: 5, durationMs: 200, ttftMs: 20, error: ErrorTypes.StreamingError);
        Finish("anthropic", "claude-sonnet-4", streaming: true, input: 100, output: 50, cacheRead: 30, cacheCreation: 7, durationMs: 400, ttftMs: 60, toolCalls: 2, toolUses: 1, toolResults: 1);

        var totals = _tracker.GetRunningTotals();

        var summary = totals.Summary;
        Assert.Equal(4, summary.TotalRequests);
        Assert.Equal(1, summary.TotalErrors);
        Assert.Equal(116, summary.InputTokens);
        Assert.Equal(77, summary.OutputTokens);
        Assert.Equal(30, summary.CacheReadTokens);
        Assert.Equal(7, summary.CacheCreationTokens);
        Assert.Equal((1, 1, 2), (summary.ToolUses, summary.ToolResults, summary.ToolCalls));
        Assert.Equal(250, summary.AverageDurationMs);
        Assert.Equal(3, summary.TtftCount);
        Assert.Equal(40, summary.AverageTtftMs);
        Assert.Equal(3, summary.Streaming.TotalRequests);
        Assert.Equal(1, summary.NonStreaming.TotalRequests);
        Assert.Equal(300, summary.NonStreaming.AverageDurationMs);
        Assert.Null(summary.NonStreaming.AverageTtftMs);

        Assert.Equal(["anthropic", "openai"], totals.Providers.Keys);
        var openai = totals.Providers["openai"];
        Assert.Equal(3, openai.TotalRequests);
        Assert.Equal(1, openai.TotalErrors);
        Assert.Equal(2, openai.Streaming.TotalRequests);
        Assert.Equal(1, openai.Streaming.TotalErrors);

        Assert.Equal(["anthropic:claude-sonnet-4", "openai:gpt-4o", "openai:gpt-4o-mini"], totals.Models.Keys);
        var gpt4o = totals.Models["openai:gpt-4o"];
        Assert.Equal(2, gpt4o.TotalRequests);
        Assert.Equal(11, gpt4o.InputTokens);
        Assert.Equal(20, gpt4o.Streaming.OutputTokens);
        Assert.Equal(2, gpt4o.NonStreaming.OutputTokens);
    }

    [Fact]
    public void GetRunningTotals_NonStreamedRequest_LeftOutOfTtftFigures()
    {
        // A non-streamed answer's first byte arrives with the whole body: its "TTFT" is its duration.
        Finish("openai", "gpt-4o", streaming: true, durationMs: 1000, ttftMs: 100);
        Finish("openai", "gpt-4o", streaming: false, durationMs: 5000, ttftMs: 4990);

        var summary = _tracker.GetRunningTotals().Summary;

        Assert.Equal(1, summary.TtftCount);
        Assert.Equal(100, summary.AverageTtftMs);
        Assert.Equal(100, summary.P50TtftMs);
        Assert.Null(summary.NonStreaming.AverageTtftMs);
        Assert.Null(summary.NonStreaming.P50TtftMs);
        Assert.Equal(3000, summary.AverageDurationMs);
    }

    [Fact]
    public void GetRunningTotals_ManyRequests_P50AndP95BesideTheAverages()
    {
        // 19 fast requests and one slow one: the average is pulled up, the median is not, p95 sees the tail.
        for (var i = 0; i < 19; i++)
        {
            Finish("anthropic", "claude-sonnet-4", streaming: true, durationMs: 1000, ttftMs: 200);
        }

        Finish("anthropic", "claude-sonnet-4", streaming: true, durationMs: 61_000, ttftMs: 20_000);

        var summary = _tracker.GetRunningTotals().Summary;
        var model = _tracker.GetRunningTotals().Models["anthropic:claude-sonnet-4"];

        Assert.Equal(4000, summary.AverageDurationMs);
        Assert.InRange(summary.P50DurationMs!.Value, 950, 1050);
        Assert.InRange(summary.P95DurationMs!.Value, 950, 1050);
        Assert.InRange(summary.P50TtftMs!.Value, 190, 210);
        Assert.Equal(model.P50DurationMs, summary.P50DurationMs);

        Finish("anthropic", "claude-sonnet-4", streaming: true, durationMs: 61_000, ttftMs: 20_000);
        var after = _tracker.GetRunningTotals().Summary;
        Assert.InRange(after.P95DurationMs!.Value, 61_000 * 0.95, 61_000);
        Assert.InRange(after.P95TtftMs!.Value, 20_000 * 0.95, 20_000 * 1.05);
    }

    [Fact]
    public void GetRunningTotals_ProviderFilter_CaseInsensitive()
    {
        Finish("openai", "gpt-4o");
        Finish("anthropic", "claude-sonnet-4");

        var totals = _tracker.GetRunningTotals(providerFilter: "OpenAI");

        Assert.Equal(1, totals.Summary.TotalRequests);
        Assert.Equal(["openai"], totals.Providers.Keys);
        Assert.Equal(["openai:gpt-4o"], totals.Models.Keys);
    }

    [Theory]
    [InlineData("gpt-*", 2)]
    [InlineData("GPT-4O", 1)]
    [InlineData("openrouter:*", 1)]
    [InlineData("*sonnet*", 1)]
    [InlineData("nothing*", 0)]
    public void GetRunningTotals_ModelGlob_FiltersModelsAndSums(string glob, int expected)
    {
        Finish("openai", "gpt-4o");
        Finish("openai", "gpt-4o-mini");
        Finish("openrouter", "anthropic/claude-sonnet-4");

        var totals = _tracker.GetRunningTotals(modelGlob: glob);

        Assert.Equal(expected, totals.Summary.TotalRequests);
        Assert.Equal(expected, totals.Models.Values.Sum(m => m.TotalRequests));
        Assert.Equal(expected, totals.Providers.Values.Sum(p => p.TotalRequests));
    }

    [Fact]
    public void GetRunningTotals_IncludeActive_AddsCurrentFiguresOfActiveOnly()
    {
        Finish("openai", "gpt-4o", input: 10, output: 10);
        using var active = _tracker.Start(TestRequests.Start("openai", "gpt-4o", streaming: true));
        active.AddEstimatedOutputTokens(5);
        _clock.Advance(TimeSpan.FromMilliseconds(50));

        var without = _tracker.GetRunningTotals();
        var with = _tracker.GetRunningTotals(includeActive: true);

        Assert.Equal(1, without.Summary.TotalRequests);
        Assert.Equal(1, without.ActiveRequestCount);
        Assert.False(without.IncludeActive);
        Assert.Equal(2, with.Summary.TotalRequests);
        Assert.Equal(15, with.Summary.OutputTokens);
        Assert.Equal(1, with.Summary.Streaming.TotalRequests);
        Assert.Equal(50, with.Summary.Streaming.TotalDurationMs);
        Assert.True(with.IncludeActive);
    }

    [Fact]
    public void GetRunningTotals_IncludeActiveAfterFinish_CountsOnce()
    {
        var request = _tracker.Start(TestRequests.Start());
        request.ReportUsage(outputTokens: 8);
        Assert.Equal(1, _tracker.GetRunningTotals(includeActive: true).Summary.TotalRequests);

        request.Complete();

        var totals = _tracker.GetRunningTotals(includeActive: true);
        Assert.Equal(1, totals.Summary.TotalRequests);
        Assert.Equal(8, totals.Summary.OutputTokens);
        Assert.Equal(0, totals.ActiveRequestCount);
    }

    [Fact]
    public void GetRunningTotals_IncludeActiveWithFilter_OnlyMatchingActive()
    {
        using var a = _tracker.Start(TestRequests.Start("openai", "gpt-4o"));
        using var b = _tracker.Start(TestRequests.Start("anthropic", "claude-sonnet-4"));

        var totals = _tracker.GetRunningTotals(modelGlob: "claude-*", includeActive: true);

        Assert.Equal(1, totals.Summary.TotalRequests);
        Assert.Equal(1, totals.ActiveRequestCount);
        Assert.Equal(["anthropic:claude-sonnet-4"], totals.Models.Keys);
    }

    [Fact]
    public void GetRunningTotals_ConcurrentFinalization_NeverDoubleCountsOrDrops()
    {
        const int Requests = 2000;
        var tracker = new RequestTracker(TimeProvider.System);
        var requests = Enumerable.Range(0, Requests).Select(_ => tracker.Start(TestRequests.Start(streaming: true))).ToArray();
        foreach (var request in requests)
        {
            request.ReportUsage(outputTokens: 1);
        }

        var done = 0;
        var badSnapshots = 0;
        var snapshots = 0;
        var finisher = new Thread(() =>
        {
            for (var i = 0; i < requests.Length; i++)
            {
                if (i % 3 == 0)
                {
                    requests[i].Fail(ErrorTypes.ClientDisconnect);
                }
                else
                {
                    requests[i].Complete();
                }
            }

            Volatile.Write(ref done, 1);
        });
        var reader = new Thread(() =>
        {
            // Each request is either active or finished at any instant: the sum is always exactly N.
            do
            {
                var totals = tracker.GetRunningTotals(includeActive: true).Summary;
                snapshots++;
                if (totals.TotalRequests != Requests || totals.OutputTokens != Requests)
                {
                    badSnapshots++;
                }
            }
            while (Volatile.Read(ref done) == 0);
        });
        reader.Start();
        finisher.Start();
        finisher.Join();
        reader.Join();

        Assert.Equal(0, badSnapshots);
        Assert.True(snapshots > 0);
        var final = tracker.GetRunningTotals(includeActive: true);
        Assert.Equal(Requests, final.Summary.TotalRequests);
        Assert.Equal(667, final.Summary.TotalErrors);
        Assert.Equal(0, final.ActiveRequestCount);
    }

    [Fact]
    public void GetRunningTotals_Snapshot_IsImmutableAfterLaterTraffic()
    {
        Finish("openai", "gpt-4o");
        var before = _tracker.GetRunningTotals();

        Finish("openai", "gpt-4o");

        Assert.Equal(1, before.Summary.TotalRequests);
        Assert.Equal(1, before.Models["openai:gpt-4o"].TotalRequests);
        Assert.Equal(2, _tracker.GetRunningTotals().Summary.TotalRequests);
    }

    private void Finish(
        string provider,
        string model,
        bool streaming = false,
        long input = 0,
        long output = 0,
        long cacheRead = 0,
        long cacheCreation = 0,
        int durationMs = 0,
        int? ttftMs = null,
        int toolCalls = 0,
        int toolUses = 0,
        int toolResults = 0,
        string? error = null)
    {
        var request = _tracker.Start(TestRequests.Start(provider, model, streaming, toolUses: toolUses, toolResults: toolResults));
        if (ttftMs is { } ttft)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(ttft));
            request.MarkFirstByte();
        }

        _clock.Advance(TimeSpan.FromMilliseconds(durationMs - (ttftMs ?? 0)));
        request.ReportUsage(input, output, cacheRead, cacheCreation);
        request.AddToolCalls(toolCalls);
        if (error is null)
        {
            request.Complete();
        }
        else
        {
            request.Fail(error, "boom", 500);
        }
    }
}
