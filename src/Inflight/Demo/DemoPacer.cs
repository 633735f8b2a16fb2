namespace Inflight.Demo;

/// <summary>
/// Paces one simulated generation on the <see cref="TimeProvider"/>: the wait for the first token,
/// then token-by-token delays at the reply's speed with jitter and the odd stall.
/// </summary>
internal sealed class DemoPacer(TimeProvider timeProvider, double timeScale, double tokensPerSecond, int seed)
{
    private readonly Random _random = new(seed);

    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var scaled = delay * timeScale;
        return scaled <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(scaled, timeProvider, cancellationToken);
    }

    /// <summary>Waits as long as producing <paramref name="tokens"/> tokens takes.</summary>
    public Task WaitForTokensAsync(int tokens, CancellationToken cancellationToken)
    {
        var seconds = tokens / tokensPerSecond * (0.6 + (_random.NextDouble() * 0.8));
        if (_random.NextDouble() < 0.01)
        {
            // Real streams hiccup now and then (batching, network); a dashboard should show it.
            seconds += 0.2 + (_random.NextDouble() * 0.4);
        }

        return WaitAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
    }

    /// <summary>How long the whole generation takes, for non-streaming replies that answer at the end.</summary>
    public TimeSpan TotalTime(TimeSpan timeToFirstToken, int outputTokens)
        => timeToFirstToken + TimeSpan.FromSeconds(outputTokens / tokensPerSecond);

    /// <summary>How many pieces go into the next delta (models often emit a few tokens per event).</summary>
    public int NextGroupSize(int max) => _random.Next(1, max + 1);
}
