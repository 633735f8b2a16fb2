namespace Inflight.Demo;

/// <summary>
/// How the built-in <c>demo</c> provider behaves and how much synthetic traffic demo mode sends.
/// Read from the flat <c>DEMO_*</c> settings by <see cref="DemoSettingsReader"/>.
/// </summary>
internal sealed class DemoOptions
{
    /// <summary><c>DEMO_ERROR_RATE</c> (default 0.03): share of requests answered with a 500 or an overload (529 / 503).</summary>
    public double ErrorRate { get; set; } = 0.03;

    /// <summary><c>DEMO_RATE_LIMIT_RATE</c> (default 0.03): share of requests answered with 429 and <c>retry-after</c>.</summary>
    public double RateLimitRate { get; set; } = 0.03;

    /// <summary><c>DEMO_TOOL_RATE</c> (default 0.25): chance of a tool call when the request declares tools.</summary>
    public double ToolRate { get; set; } = 0.25;

    /// <summary><c>DEMO_STREAM_BREAK_RATE</c> (default 0.02): share of streams that break part-way through.</summary>
    public double StreamBreakRate { get; set; } = 0.02;

    /// <summary><c>DEMO_MIN_TTFT_MS</c> (default 200): shortest time to first token.</summary>
    public TimeSpan MinTimeToFirstToken { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>DEMO_MAX_TTFT_MS</c> (default 900): longest time to first token.</summary>
    public TimeSpan MaxTimeToFirstToken { get; set; } = TimeSpan.FromMilliseconds(900);

    /// <summary><c>DEMO_MIN_TOKENS_PER_SECOND</c> (default 30): slowest generation speed, drawn once per request.</summary>
    public double MinTokensPerSecond { get; set; } = 30;

    /// <summary><c>DEMO_MAX_TOKENS_PER_SECOND</c> (default 120): fastest generation speed, drawn once per request.</summary>
    public double MaxTokensPerSecond { get; set; } = 120;

    /// <summary><c>DEMO_TRAFFIC</c> (default true): in demo mode, run the synthetic traffic generator.</summary>
    public bool Traffic { get; set; } = true;

    /// <summary><c>DEMO_TRAFFIC_RPS</c> (default 1.5): average number of requests the generator starts per second.</summary>
    public double TrafficRequestsPerSecond { get; set; } = 1.5;

    /// <summary><c>DEMO_TRAFFIC_MAX_CONCURRENCY</c> (default 8): most generator requests in flight at once.</summary>
    public int TrafficMaxConcurrency { get; set; } = 8;

    /// <summary>
    /// Multiplies every simulated delay. Not a setting: tests set 0 to run the simulation without waiting.
    /// </summary>
    internal double TimeScale { get; set; } = 1.0;

    internal List<string> LoadErrors { get; } = [];
}
