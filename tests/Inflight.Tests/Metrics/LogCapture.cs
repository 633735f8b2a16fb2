using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Inflight.Tests.Metrics;

/// <summary>Records the event names the host logs, so a test can await "the server did X" instead of polling.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Name, IReadOnlyDictionary<string, object?> Values)> _events = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

    /// <summary>Completes once <paramref name="eventName"/> has been logged <paramref name="count"/> times.</summary>
    public async Task WaitForAsync(string eventName, int count = 1)
    {
        while (true)
        {
            Task logged;
            lock (_gate)
            {
                logged = _logged.Task;
            }

            if (_events.Count(e => e.Name == eventName) >= count)
            {
                return;
            }

            await logged.WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The structured values of every <paramref name="eventName"/> logged so far.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Events(string eventName)
        => [.. _events.Where(e => e.Name == eventName).Select(e => e.Values)];

    public void Dispose()
    {
    }

    private void Add(string eventName, IReadOnlyDictionary<string, object?> values)
    {
        _events.Enqueue((eventName, values));
        TaskCompletionSource logged;
        lock (_gate)
        {
            logged = _logged;
            _logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        logged.TrySetResult();
    }

    private sealed class CapturingLogger(LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!string.IsNullOrEmpty(eventId.Name))
            {
                var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
                owner.Add(eventId.Name, values.ToDictionary(v => v.Key, v => v.Value));
            }
        }
    }
}
