using System.Text;
using Inflight.Configuration;

namespace Inflight.Hosting;

/// <summary><c>--help</c>, <c>--version</c> and <c>--health-check</c>, answered before any host is built.</summary>
internal static class CommandLine
{
    private const int Width = 100;
    private const string Indent = "      ";

    /// <summary>
    /// The exit code when the arguments asked for help, the version or a health check (answered on
    /// <paramref name="output"/>); null when the gateway should start.
    /// </summary>
    public static async Task<int?> TryAnswerAsync(string[] args, TextWriter output)
    {
        if (args.Any(a => a is "--version" or "-v"))
        {
            await output.WriteLineAsync("inflight " + StartupBlock.Version);
            return 0;
        }

        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            await output.WriteAsync(Help());
            return 0;
        }

        if (args.Contains("--health-check"))
        {
            return await HealthProbe.RunAsync(output);
        }

        return null;
    }

    internal static string Help()
    {
        var text = new StringBuilder();
        text.Append("inflight ").Append(StartupBlock.Version).Append(" - an LLM API gateway with a live view of every request in flight.\n\n");
        text.Append("Usage: inflight [--demo] [--help] [--version] [--health-check]\n\n");
        text.Append("  --demo       run with the built-in demo provider and synthetic traffic (no keys, no network)\n");
        text.Append("  --help, -h   show this help\n");
        text.Append("  --version    print the version\n");
        text.Append("  --health-check  ask a running Inflight (HOST and PORT from the environment) for /health; exit 0 if healthy\n\n");
        text.Append("Settings come from appsettings.json and inflight.json next to the binary, the file in INFLIGHT_CONFIG,\n");
        text.Append("a .env file in the working directory, the environment, and --NAME=value arguments; later wins.\n\n");
        foreach (var setting in SettingsTable.All)
        {
            text.Append("  ").Append(SettingsTable.Plain(setting.Name)).Append("  (default: ").Append(SettingsTable.Plain(setting.Default)).Append(")\n");
            Wrap(text, SettingsTable.Plain(setting.Meaning));
        }

        text.Append("\nDashboard: http://HOST:PORT/dashboard/   Health: http://HOST:PORT/health\n");
        return text.ToString();
    }

    private static void Wrap(StringBuilder text, string words)
    {
        var line = new StringBuilder(Indent);
        foreach (var word in words.Split(' '))
        {
            if (line.Length + word.Length + 1 > Width && line.Length > Indent.Length)
            {
                text.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(Indent);
            }

            line.Append(word).Append(' ');
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
