using System.Diagnostics;
using System.Text;

namespace Inflight.Tests.Hosting;

/// <summary>
/// A process started by a test (the published gateway, the installed tool, <c>dotnet</c> itself), with its
/// output captured line by line so a test can await a line instead of sleeping. Killed on dispose.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>Settings that would change what Inflight does if the test machine happened to have them.</summary>
    private static readonly string[] s_inflightPrefixes = ["INFLIGHT_", "VDM_", "DEMO_", "ASPNETCORE_URLS", "ASPNETCORE_HTTP", "DOTNET_URLS"];
    private static readonly string[] s_inflightSuffixes = ["_API_KEY", "_BASE_URL", "_API_FORMAT"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static string Dotnet { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_output)
            {
                return _error.ToString();
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name is "HOST" or "PORT" or "PROXY_API_KEY"
                || s_inflightPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
                || s_inflightSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase))
                || name.Contains("_ALIAS_", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        var child = new ChildProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        child._process.OutputDataReceived += (_, e) => child.OnLine(e.Data, child._output, child._outputClosed);
        child._process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, child._error, child._errorClosed);
        child._process.Start();
        child._process.StandardInput.Close();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a command to the end; fails with its output when it exits non-zero.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var child = Start(fileName, arguments, workingDirectory, environment);
        var exitCode = await child.WaitForExitAsync(timeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {exitCode}:\n{child.Output}\n{child.Error}");
        }

        return child.Output;
    }

    /// <summary>The first standard-output line that matches, waiting for it; fails early if the process exits first.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var existing = _output.ToString().Split('\n').FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            if (_outputClosed.Task.IsCompleted)
            {
                return Task.FromException<string>(new InvalidOperationException($"The process ended without that line.\n{_output}\n{_error}"));
            }

            _waiters.Add((match, found));
        }

        return found.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
    }

    /// <summary>Waits for the exit and for all of its output.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {timeout}.\n{Output}\n{Error}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL on Unix: no shutdown hooks run, as after an OOM kill or a power-cut container.</summary>
    public void KillAbruptly() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void OnLine(string? line, StringBuilder into, TaskCompletionSource closed)
    {
        lock (_output)
        {
            if (line is null)
            {
                closed.TrySetResult();
                if (ReferenceEquals(into, _output))
                {
                    foreach (var (_, found) in _waiters)
                    {
                        found.TrySetException(new InvalidOperationException($"The process ended without that line.\n{_output}\n{_error}"));
                    }

                    _waiters.Clear();
                }

                return;
            }

            into.Append(line).Append('\n');
            if (!ReferenceEquals(into, _output))
            {
                return;
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
