using System.Text;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>Holds a one-pass request translator to the <c>JsonNode</c> translator kept in the tests as its reference (the <c>Reference*</c> classes).</summary>
internal static class RequestEquivalenceSupport
{
    /// <summary>
    /// The same output bytes, the same 400 (status and message), the same notes in order, the same stream flags
    /// (<c>ClientStream</c>, <c>ClientIncludeUsage</c>) and tool names for the client, for <paramref name="body"/> sent to <paramref name="model"/>;
    /// <paramref name="what"/> names the body in a failure.
    /// </summary>
    public static void AssertSameAsReference(
        byte[] body, string model, string what, Func<byte[], TranslationContext, byte[]> reference, Func<byte[], TranslationContext, byte[]> translator)
    {
        var expectedNotes = new List<string>();
        var actualNotes = new List<string>();
        var expectedContext = TranslationTestSupport.Context(model, expectedNotes);
        var actualContext = TranslationTestSupport.Context(model, actualNotes);
        var expected = Run(() => reference(body, expectedContext));
        var actual = Run(() => translator(body, actualContext));

        var because = $"{what} → {model}";
        Assert.True(expected.Error == actual.Error, $"{because}: error\nexpected: {expected.Error}\nactual:   {actual.Error}");
        var expectedText = expected.Output is null ? null : Encoding.UTF8.GetString(expected.Output);
        var actualText = actual.Output is null ? null : Encoding.UTF8.GetString(actual.Output);
        Assert.True(expectedText == actualText, $"{because}: output\nexpected: {expectedText}\nactual:   {actualText}");
        Assert.Equal(expected.Output, actual.Output);
        Assert.True(expectedNotes.SequenceEqual(actualNotes), $"{because}: notes\nexpected: {string.Join(" | ", expectedNotes)}\nactual:   {string.Join(" | ", actualNotes)}");
        Assert.Equal(expectedContext.Notes, actualContext.Notes);
        Assert.True(expectedContext.ClientStream == actualContext.ClientStream, $"{because}: ClientStream {expectedContext.ClientStream} expected, {actualContext.ClientStream} actual");
        Assert.True(
            expectedContext.ClientIncludeUsage == actualContext.ClientIncludeUsage,
            $"{because}: ClientIncludeUsage {expectedContext.ClientIncludeUsage} expected, {actualContext.ClientIncludeUsage} actual");
        Assert.Equal(
            expectedContext.ToolNamesForClient?.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            actualContext.ToolNamesForClient?.OrderBy(p => p.Key, StringComparer.Ordinal).ToList());
    }

    private static (byte[]? Output, string? Error) Run(Func<byte[]> translate)
    {
        try
        {
            return (translate(), null);
        }
        catch (TranslationException ex)
        {
            return (null, $"{ex.Status}: {ex.Message}");
        }
    }
}
