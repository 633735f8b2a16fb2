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

        // On failure, paste SettingsTable.ToMarkdown() into the README (or fix the table in code).
        Assert.Equal(SettingsTable.ToMarkdown(), readme[start..end]);
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
