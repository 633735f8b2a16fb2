using System.Text.Json;

namespace Inflight.Protocols.Accounting;

/// <summary>The two moves every accounting parser makes after matching (or not) a property name.</summary>
internal static class JsonFields
{
    /// <summary>Moves from a property name to its value and skips it, however deep.</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    /// <summary>
    /// Moves from a property name to its value and weighs it when it is a string, in its escaped form
    /// (see <see cref="TokenEstimator"/>); anything else weighs nothing and is skipped.
    /// </summary>
    public static long WeighString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return TokenEstimator.Weigh(reader.ValueSpan);
        }

        reader.Skip();
        return 0;
    }
}
