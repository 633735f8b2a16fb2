namespace Inflight.Tracking.Tests;

public sealed class ModelGlobTests
{
    [Theory]
    [InlineData("gpt-*", "gpt-4o", true)]
    [InlineData("GPT-*", "gpt-4o", true)]
    [InlineData("gpt-*", "o3-mini", false)]
    [InlineData("*sonnet*", "claude-sonnet-4", true)]
    [InlineData("gpt-4?", "gpt-4o", true)]
    [InlineData("gpt-4?", "gpt-4o-mini", false)]
    [InlineData("*", "", true)]
    [InlineData("", "x", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("openai:*", "openai:gpt-4o", true)]
    public void IsMatch_Pattern_MatchesAsGlob(string pattern, string text, bool expected)
        => Assert.Equal(expected, ModelGlob.IsMatch(pattern, text));
}
