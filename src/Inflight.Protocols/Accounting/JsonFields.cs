using System.Buffers;
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

    /// <summary>
    /// As <see cref="WeighString"/>, and hands the string, unescaped, to
    /// <paramref name="textSink"/> when it is not null (content peek on).
    /// </summary>
    public static long WeighAndCaptureString(ref Utf8JsonReader reader, IUsageListener? textSink)
    {
        if (textSink is null)
        {
            return WeighString(ref reader);
        }

        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return 0;
        }

        var weight = TokenEstimator.Weigh(reader.ValueSpan);
        if (!reader.ValueIsEscaped)
        {
            textSink.OnOutputText(reader.ValueSpan);
            return weight;
        }

        // Unescaping never makes a string longer than its escaped form.
        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = reader.CopyString(buffer);
            textSink.OnOutputText(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return weight;
    }
}
