using System.Buffers;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Reads one JSON value given as its raw bytes (a string token with its quotes, a number, an object) the
/// way <see cref="JsonElement"/> would, without building a document: the stream translators find values
/// with one <see cref="Utf8JsonReader"/> pass and read them here.
/// </summary>
internal static class RawJson
{
    public static bool IsString(ReadOnlySpan<byte> raw) => raw.Length >= 2 && raw[0] == (byte)'"';

    public static bool IsObject(ReadOnlySpan<byte> raw) => !raw.IsEmpty && raw[0] == (byte)'{';

    public static bool IsArray(ReadOnlySpan<byte> raw) => !raw.IsEmpty && raw[0] == (byte)'[';

    /// <summary>Whether <paramref name="raw"/> is a string token whose unescaped value is <paramref name="utf8"/>.</summary>
    public static bool StringEquals(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> utf8)
    {
        if (!IsString(raw))
        {
            return false;
        }

        // Without escapes the token is the value between quotes: compare the bytes.
        var value = raw[1..^1];
        if (!value.Contains((byte)'\\'))
        {
            return value.SequenceEqual(utf8);
        }

        var reader = Open(raw);
        return reader.ValueTextEquals(utf8);
    }

    /// <summary>Whether <paramref name="raw"/> is a string token whose unescaped value is <paramref name="text"/>.</summary>
    public static bool StringEquals(ReadOnlySpan<byte> raw, string text)
    {
        if (!IsString(raw))
        {
            return false;
        }

        var reader = Open(raw);
        return reader.ValueTextEquals(text);
    }

    /// <summary>A string token's value, or null for anything else. Allocates: for values read once per stream.</summary>
    public static string? GetString(ReadOnlySpan<byte> raw)
    {
        if (!IsString(raw))
        {
            return null;
        }

        var reader = Open(raw);
        return reader.GetString();
    }

    /// <summary>A string token's value, the instance from <paramref name="known"/> when it is one of them; null for anything else.</summary>
    public static string? GetString(ReadOnlySpan<byte> raw, string[] known)
    {
        if (!IsString(raw))
        {
            return null;
        }

        var reader = Open(raw);
        foreach (var value in known)
        {
            if (reader.ValueTextEquals(value))
            {
                return value;
            }
        }

        return reader.GetString();
    }

    /// <summary>A number token as an int, or <paramref name="fallback"/> when it is not one.</summary>
    public static int GetInt32(ReadOnlySpan<byte> raw, int fallback)
    {
        if (raw.IsEmpty || raw[0] is not ((byte)'-' or (>= (byte)'0' and <= (byte)'9')))
        {
            return fallback;
        }

        var reader = Open(raw);
        return reader.TryGetInt32(out var value) ? value : fallback;
    }

    /// <summary>A number token as a long, or null when it is not one (or does not fit).</summary>
    public static long? GetInt64(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty || raw[0] is not ((byte)'-' or (>= (byte)'0' and <= (byte)'9')))
        {
            return null;
        }

        var reader = Open(raw);
        return reader.TryGetInt64(out var value) ? value : null;
    }

    /// <summary>
    /// A string token's unescaped value as UTF-16, into <paramref name="buffer"/> (grown from the pool when
    /// too small, the old array returned). The span is valid until the next call with the same buffer.
    /// </summary>
    public static ReadOnlySpan<char> GetChars(ReadOnlySpan<byte> raw, ref char[] buffer)
    {
        var reader = Open(raw);

        // Unescaping never lengthens: UTF-16 code units ≤ UTF-8 bytes of the escaped token.
        if (buffer.Length < reader.ValueSpan.Length)
        {
            var grown = ArrayPool<char>.Shared.Rent(Math.Max(reader.ValueSpan.Length, 256));
            Release(ref buffer);
            buffer = grown;
        }

        var written = reader.CopyString(buffer);
        return buffer.AsSpan(0, written);
    }

    /// <summary>Returns a buffer grown by <see cref="GetChars"/> to the pool.</summary>
    public static void Release(ref char[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(buffer);
            buffer = [];
        }
    }

    /// <summary>
    /// The raw value of property <paramref name="name"/> of a well-formed object (its last occurrence); empty
    /// when <paramref name="obj"/> is not an object or has no such property.
    /// </summary>
    public static ReadOnlySpan<byte> Property(ReadOnlySpan<byte> obj, ReadOnlySpan<byte> name)
    {
        if (!IsObject(obj))
        {
            return default;
        }

        var reader = Open(obj);
        Range found = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                found = ReadValueRange(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return obj[found];
    }

    /// <summary>A reader on the value's first token.</summary>
    public static Utf8JsonReader Open(ReadOnlySpan<byte> raw)
    {
        var reader = new Utf8JsonReader(raw);
        reader.Read();
        return reader;
    }

    /// <summary>
    /// From a property name, moves to its value, skips it whole and gives where it lies in the data the
    /// reader reads: a string with its quotes, an object or array with its brackets.
    /// </summary>
    public static Range ReadValueRange(ref Utf8JsonReader reader)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }
}
