using System.Diagnostics;
using Inflight.Testing;

namespace Inflight.Tests.Clients;

/// <summary>
/// Runs the pinned Claude Code CLI non-interactively (<c>claude -p</c>) against a gateway on 127.0.0.1,
/// in a fresh temporary HOME and working directory, with an environment that lets it reach nothing else.
/// </summary>
internal static class ClaudeCodeCli
{
    /// <summary>The key the CLI sends; start the gateway with it as <c>PROXY_API_KEY</c>.</summary>
    public const string ProxyKey = "inflight-proxy-key";

    /// <summary>A hard limit per run; a run normally takes about a second.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The variables Claude Code 2.1.332 honours to stay quiet and local: no telemetry, error reports,
    /// update checks or other side traffic; no retries (a failure shows at once, with the gateway's message);
    /// and a proxy on a closed loopback port for anything that is not 127.0.0.1, so that nothing it might
    /// still try to send can leave the machine.
    /// </summary>
    private static readonly Dictionary<string, string> s_isolation = new()
    {
        ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
        ["DISABLE_TELEMETRY"] = "1",
        ["DISABLE_ERROR_REPORTING"] = "1",
        ["DISABLE_AUTOUPDATER"] = "1",
        ["DISABLE_UPDATES"] = "1",
        ["CLAUDE_CODE_MAX_RETRIES"] = "0",
        ["API_TIMEOUT_MS"] = "60000",
        ["HTTPS_PROXY"] = "http://127.0.0.1:9",
        ["HTTP_PROXY"] = "http://127.0.0.1:9",
        ["NO_PROXY"] = "127.0.0.1,localhost",
    };

    /// <summary>
    /// Runs <c>claude -p <paramref name="prompt"/> <paramref name="arguments"/></c> with ANTHROPIC_BASE_URL
    /// pointing at <paramref name="gateway"/> and <see cref="ProxyKey"/>. The inherited environment is not passed on.
    /// </summary>
    public static async Task<ClaudeCodeRun> RunAsync(Uri gateway, string prompt, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, DirectoryInfo? home = null)
    {
        home ??= NewHome();
        var project = Directory.CreateTempSubdirectory("inflight-claude-project-");
        try
        {
            var start = new ProcessStartInfo(AcceptanceClients.ClaudePath)
            {
                WorkingDirectory = project.FullName,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-p");
            start.ArgumentList.Add(prompt);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
            start.Environment["HOME"] = home.FullName;
            start.Environment["CLAUDE_CONFIG_DIR"] = Path.Combine(home.FullName, ".claude");
            start.Environment["TMPDIR"] = home.FullName;
            start.Environment["ANTHROPIC_BASE_URL"] = gateway.GetLeftPart(UriPartial.Authority);
            // As docs/claude-code.md says: the gateway's PROXY_API_KEY as ANTHROPIC_AUTH_TOKEN (sent as a Bearer token).
            start.Environment["ANTHROPIC_AUTH_TOKEN"] = ProxyKey;
            foreach (var (key, value) in s_isolation)
            {
                start.Environment[key] = value;
            }

            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("claude did not start");
            try
            {
                process.StandardInput.Close();
                // Both pipes end when the process (and any child holding them) is gone.
                var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                timeout.CancelAfter(s_timeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Kill(process);
                    throw new TimeoutException($"claude -p did not finish within {s_timeout.TotalSeconds} s.\nstdout: {await stdout}\nstderr: {await stderr}");
                }

                // A background child still holding a pipe would fail the test here rather than hang it.
                var output = await stdout.WaitAsync(s_timeout);
                var errors = await stderr.WaitAsync(s_timeout);
                return new ClaudeCodeRun(process.ExitCode, output.Trim(), errors.Trim(), ReadFiles(home.FullName));
            }
            finally
            {
                // Whatever went wrong, no CLI outlives its test.
                Kill(process);
            }
        }
        finally
        {
            DeleteQuietly(home);
            DeleteQuietly(project);
        }
    }

    /// <summary>A fresh temporary HOME for one run; <see cref="RunAsync"/> deletes it afterwards.</summary>
    public static DirectoryInfo NewHome() => Directory.CreateTempSubdirectory("inflight-claude-home-");

    /// <summary>The small files Claude Code left in its config folder, by path relative to HOME.</summary>
    private static Dictionary<string, string> ReadFiles(string home)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var cache = Path.Combine(home, ".claude", "cache");
        if (Directory.Exists(cache))
        {
            foreach (var file in Directory.EnumerateFiles(cache, "*.json", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(home, file)] = File.ReadAllText(file);
            }
        }

        return files;
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    private static void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A background child of the CLI may still hold a file; the OS temp cleaner gets it later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>What one <c>claude -p</c> run printed, and the cache files it left.</summary>
internal sealed record ClaudeCodeRun(int ExitCode, string Stdout, string Stderr, IReadOnlyDictionary<string, string> CacheFiles)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
