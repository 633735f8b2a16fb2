using System.Diagnostics;
using Inflight.Testing;

namespace Inflight.Tests.Clients;

/// <summary>
/// Runs the pinned Codex CLI non-interactively (<c>codex exec</c>) against a gateway on 127.0.0.1, in a
/// fresh temporary HOME, CODEX_HOME and working directory, with the provider configuration docs/codex.md
/// gives and an environment that lets it reach nothing else.
/// </summary>
internal static class CodexCli
{
    /// <summary>The key Codex sends (its <c>env_key</c> variable, INFLIGHT_API_KEY).</summary>
    public const string ApiKey = "inflight-test-key";

    /// <summary>A hard limit per run; a run with one tool round trip normally takes a few seconds.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The provider block of docs/codex.md, pointed at the gateway: a custom provider (not the built-in
    /// <c>openai</c> one, which would first try a WebSocket), the Responses wire API, the key from an
    /// environment variable. Approval <c>never</c> and full access let it run <c>echo</c> without asking (its Linux sandbox
    /// needs privileges a test container may not have).
    /// </summary>
    private const string ConfigTemplate = """
        model = "{model}"
        model_provider = "inflight"
        approval_policy = "never"
        sandbox_mode = "danger-full-access"

        [model_providers.inflight]
        name = "Inflight"
        base_url = "{base_url}"
        env_key = "INFLIGHT_API_KEY"
        wire_api = "responses"
        """;

    /// <summary>
    /// Runs <c>codex exec --skip-git-repo-check <paramref name="prompt"/></c> with the config above. The
    /// inherited environment is not passed on; anything not bound for 127.0.0.1 goes to a proxy on a closed
    /// loopback port, so nothing Codex might send on the side (analytics, update checks) leaves the machine.
    /// </summary>
    public static async Task<CodexRun> ExecAsync(Uri gateway, string model, string prompt)
    {
        var home = Directory.CreateTempSubdirectory("inflight-codex-home-");
        var project = Directory.CreateTempSubdirectory("inflight-codex-project-");
        try
        {
            var codexHome = Directory.CreateDirectory(Path.Combine(home.FullName, ".codex"));
            var config = ConfigTemplate
                .Replace("{model}", model, StringComparison.Ordinal)
                .Replace("{base_url}", new Uri(gateway, "/v1").AbsoluteUri, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(codexHome.FullName, "config.toml"), config, TestContext.Current.CancellationToken);

            var start = new ProcessStartInfo(AcceptanceClients.CodexPath)
            {
                WorkingDirectory = project.FullName,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add("--skip-git-repo-check");
            start.ArgumentList.Add(prompt);

            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
            start.Environment["HOME"] = home.FullName;
            start.Environment["CODEX_HOME"] = codexHome.FullName;
            start.Environment["TMPDIR"] = home.FullName;
            start.Environment["INFLIGHT_API_KEY"] = ApiKey;
            start.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
            start.Environment["HTTP_PROXY"] = "http://127.0.0.1:9";
            start.Environment["NO_PROXY"] = "127.0.0.1,localhost";

            using var process = Process.Start(start) ?? throw new InvalidOperationException("codex did not start");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(s_timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"codex exec did not finish within {s_timeout.TotalSeconds} s.\nstdout: {await stdout}\nstderr: {await stderr}");
            }

            return new CodexRun(process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
        }
        finally
        {
            DeleteQuietly(home);
            DeleteQuietly(project);
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

/// <summary>What one <c>codex exec</c> run printed.</summary>
internal sealed record CodexRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
