using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Text joined from several JSON strings (system blocks, a turn's text blocks, a data URL) as unescaped UTF-8
/// in a pooled array, written out with one <see cref="Utf8JsonWriter.WriteStringValue(ReadOnlySpan{byte})"/>:
/// the same bytes as joining .NET strings, without a string per piece.
/// </summary>
internal sealed class Utf8Text : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1024);
    private int _length;

    public bool IsEmpty => _length == 0;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>Appends a JSON string value, unescaped.</summary>
    public Utf8Text Append(JsonElement text)
    {
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(text));
        reader.Read();
        Ensure(reader.ValueSpan.Length);
        _length += reader.ValueIsEscaped ? reader.CopyString(_buffer.AsSpan(_length)) : Copy(reader.ValueSpan);
        return this;
    }

    public Utf8Text Append(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
            _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        }

        return this;
    }

    /// <summary>A blank line between paragraphs, unless nothing was written yet.</summary>
    public Utf8Text Paragraph() => IsEmpty ? this : Append("\n\n");

    public void WriteTo(Utf8JsonWriter writer) => writer.WriteStringValue(Span);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int Copy(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_length));
        return bytes.Length;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_length + more, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
