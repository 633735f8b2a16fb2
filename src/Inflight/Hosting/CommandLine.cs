using System.Text;
using Inflight.Configuration;

namespace Inflight.Hosting;

/// <summary><c>--help</c> and <c>--version</c>, answered before any host is built.</summary>
internal static class CommandLine
{
    private const int Width = 100;
    private const string Indent = "      ";

    /// <summary>True when the arguments asked for help or the version, which is then written to <paramref name="output"/>.</summary>
    public static bool TryAnswer(string[] args, TextWriter output)
    {
        if (args.Any(a => a is "--version" or "-v"))
        {
            output.WriteLine("inflight " + StartupBlock.Version);
            return true;
        }

        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            output.Write(Help());
            return true;
        }

        return false;
    }

    internal static string Help()
    {
        var text = new StringBuilder();
        text.Append("inflight ").Append(StartupBlock.Version).Append(" - an LLM API gateway with a live view of every request in flight.\n\n");
        text.Append("Usage: inflight [--demo] [--help] [--version]\n\n");
        text.Append("  --demo       run with the built-in demo provider and synthetic traffic (no keys, no network)\n");
        text.Append("  --help, -h   show this help\n");
        text.Append("  --version    print the version\n\n");
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
