using Inflight.Configuration;
using Inflight.Hosting;
using Inflight.Testing;

namespace Inflight.Tests.Configuration;

public sealed class SettingsTableTests
{
    [Fact]
    public void Readme_SettingsSection_IsTheSettingsTable()
    {
        var readme = File.ReadAllText(Path.Combine(AcceptanceClients.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("| Setting | Default | Meaning |", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no settings table.");
        var end = readme.IndexOf("\n\n", start, StringComparison.Ordinal);
        var documented = readme[start..end].Split('\n');
        var generated = SettingsTable.ToMarkdown().Split('\n');

        for (var row = 0; row < Math.Max(documented.Length, generated.Length); row++)
        {
            var inReadme = row < documented.Length ? documented[row] : "(nothing)";
            var inCode = row < generated.Length ? generated[row] : "(nothing)";
            Assert.True(
                inReadme == inCode,
                $"README.md's settings table differs from SettingsTable.All (src/Inflight/Configuration/SettingsTable.cs, which also drives `inflight --help`) at line {row + 1}:\n  README: {inReadme}\n  code:   {inCode}\nPut the setting in SettingsTable.All, then make the README's row the same.");
        }
    }

    [Fact]
    public void Help_EverySetting_ListedWithItsDefault()
    {
        var help = CommandLine.Help();

        foreach (var setting in SettingsTable.All)
        {
            Assert.Contains($"  {SettingsTable.Plain(setting.Name)}  (default: {SettingsTable.Plain(setting.Default)})\n", help, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("`", help, StringComparison.Ordinal);
        Assert.All(help.Split('\n'), line => Assert.True(line.Length <= 120, line));
    }

    [Theory]
    [InlineData("--version", "inflight ")]
    [InlineData("--help", "Usage: inflight")]
    [InlineData("-h", "Usage: inflight")]
    public async Task TryAnswerAsync_InformationalSwitch_AnswersWithoutStarting(string argument, string expected)
    {
        using var output = new StringWriter();

        Assert.Equal(0, await CommandLine.TryAnswerAsync([argument], output));
        Assert.Contains(expected, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryAnswerAsync_Demo_StartsTheGateway()
    {
        using var output = new StringWriter();

        Assert.Null(await CommandLine.TryAnswerAsync(["--demo"], output));
        Assert.Equal("", output.ToString());
    }
}
