using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Inflight.Gateway;

namespace Inflight.Benchmarks;

/// <summary>
/// What a translated stream's relay pays per upstream read that has to wait, when the read completes well
/// before a keep-alive is due (every chunk of a normal answer): the relay's <see cref="KeepAliveWait"/>
/// against the race it replaced (a linked token source, a <c>Task.Delay</c>, <c>WhenAny</c> and an awaited
/// <c>CancelAsync</c> per read). One operation is one pending read; 20 per invoke, as in an answer.
/// </summary>
[MemoryDiagnoser]
public class KeepAliveWaitBenchmarks
{
    private const int Reads = 20;
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _relayToken = new();
    private KeepAliveWait? _wait;

    [GlobalSetup]
    public void Setup() => _wait ??= new KeepAliveWait(s_interval, TimeProvider.System);

    [Benchmark(Baseline = true, OperationsPerInvoke = Reads)]
    public void DelayRacePerRead() => ReadAllAsync(static (self, pending) => self.DelayRaceAsync(pending)).GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Reads)]
    public void KeepAliveWaitPerRead() => ReadAllAsync(static (self, pending) => self.KeepAliveAsync(pending)).GetAwaiter().GetResult();

    private async Task ReadAllAsync(Func<KeepAliveWaitBenchmarks, ValueTask<int>, ValueTask<int>> wait)
    {
        for (var i = 0; i < Reads; i++)
        {
            // An upstream read that is pending when the relay starts waiting, then completes.
            var read = new TaskCompletionSource<int>();
            var waiting = wait(this, new ValueTask<int>(read.Task));
            read.SetResult(1);
            await waiting;
        }
    }

    /// <summary>The relay's per-read wait before KeepAliveWait (ping writing left out: no ping is due here).</summary>
    private async ValueTask<int> DelayRaceAsync(ValueTask<int> pending)
    {
        var read = pending.AsTask();
        while (true)
        {
            using var pingCancel = CancellationTokenSource.CreateLinkedTokenSource(_relayToken.Token);
            var ping = Task.Delay(s_interval, TimeProvider.System, pingCancel.Token);
            if (await Task.WhenAny(read, ping) == read)
            {
                await pingCancel.CancelAsync();
                return await read;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> KeepAliveAsync(ValueTask<int> pending)
    {
        _wait!.Watch(pending);
        if (!await _wait.WaitAsync())
        {
            throw new InvalidOperationException("A ping fell due within the benchmark; the interval is 10 s.");
        }

        return _wait.TakeRead();
    }
}
