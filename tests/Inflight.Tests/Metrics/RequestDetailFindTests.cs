using Inflight.Metrics;
using Inflight.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tests.Metrics;

/// <summary>
/// The request detail finds a request at every moment of its life, including the one in which it is being finalized
/// (its flag set, its log entry not yet recorded): the dashboard's drawer polls it and must never see it vanish.
/// </summary>
public sealed class RequestDetailFindTests
{
    [Fact]
    public async Task Find_RequestBeingFinalized_FoundThenFoundFinished()
    {
        var time = new PausingTimeProvider();
        var tracker = new RequestTracker(time);
        var view = new ActiveView(tracker, null, time);
        var request = tracker.Start(new RequestStart
        {
            Provider = "openai",
            RequestedModel = "gpt-test",
            ResolvedModel = "gpt-test",
            IsStreaming = true,
            ClientFormat = "openai",
            UpstreamFormat = "openai",
        });

        // Finalization reads the clock right after setting its flag: hold it there.
        time.PauseNextRead();
        var failing = Task.Run(() => request.Fail(ErrorTypes.Cancelled, "cancelled"), TestContext.Current.CancellationToken);
        await time.Paused.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var during = RequestDetailPayload.Find(view, request.RequestId);
        time.Resume();
        Assert.True(await failing.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var after = RequestDetailPayload.Find(view, request.RequestId);

        Assert.True(request.IsFinalized);
        Assert.NotNull(during);
        Assert.Equal("active", during.State);
        Assert.NotNull(after);
        Assert.Equal("finished", after.State);
    }

    /// <summary>A fake clock whose next timestamp read blocks until <see cref="Resume"/>.</summary>
    private sealed class PausingTimeProvider : FakeTimeProvider
    {
        private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _resume = new();
        private int _pauseNext;

        public Task Paused => _paused.Task;

        public void PauseNextRead() => Volatile.Write(ref _pauseNext, 1);

        public void Resume() => _resume.Set();

        public override long GetTimestamp()
        {
            if (Interlocked.Exchange(ref _pauseNext, 0) == 1)
            {
                _paused.TrySetResult();
                _resume.Wait(TimeSpan.FromSeconds(30));
            }

            return base.GetTimestamp();
        }
    }
}
