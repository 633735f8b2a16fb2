namespace Inflight.Testing;

/// <summary>
/// The real CLIs the acceptance tests drive, installed by <c>test.sh</c> from
/// <c>tools/clients/package-lock.json</c> into <c>tools/clients/node_modules</c>.
/// A missing CLI fails the test with the command that installs it; it is never skipped.
/// </summary>
public static class AcceptanceClients
{
    /// <summary>The repository root: the nearest folder above the test assembly holding <c>Inflight.slnx</c>.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The Claude Code CLI (<c>claude</c>).</summary>
    public static string ClaudePath => Require("claude");

    /// <summary>The Codex CLI (<c>codex</c>).</summary>
    public static string CodexPath => Require("codex");

    private static string Require(string name)
    {
        var path = Path.Combine(RepositoryRoot, "tools", "clients", "node_modules", ".bin", name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The '{name}' CLI is not installed at {path}. Run ./test.sh (or: npm ci --prefix tools/clients).");
        }

        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Inflight.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Inflight.slnx not found above " + AppContext.BaseDirectory);
    }
}
