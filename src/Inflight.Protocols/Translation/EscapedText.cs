using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// One JSON string joined from several (system blocks, a turn's text blocks, a tool result, a data URL), kept as the
/// translators' writer spells it (<see cref="JsonOutput.WriterOptions"/>) in a pooled array and written with one
/// <see cref="Utf8JsonWriter.WriteRawValue(ReadOnlySpan{byte}, bool)"/>. A piece whose raw bytes already are that
/// spelling (<see cref="WrittenAsIs"/>: most texts a client sends) is copied as is; any other is written by the writer
/// itself. Escaping works character by character, so the result is the bytes of writing the joined text at once
/// (what <see cref="Utf8Text"/> does, unescaping and re-escaping every piece).
/// </summary>
internal sealed class EscapedText : IDisposable
{
    private static readonly JavaScriptEncoder s_encoder = JsonOutput.WriterOptions.Encoder!;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1024);
    private int _length = 1;

    public EscapedText() => _buffer[0] = (byte)'"';

    public bool IsEmpty => _length == 1;

    /// <summary>Appends a JSON string value.</summary>
    public EscapedText Append(JsonElement text)
    {
        var content = JsonMarshal.GetRawUtf8Value(text)[1..^1];
        if (WrittenAsIs.IsStringContent(content))
        {
            Copy(content);
            return this;
        }

        using var scratch = new PooledBufferWriter(content.Length + 16);
        using (var writer = new Utf8JsonWriter(scratch, JsonOutput.WriterOptions))
        {
            text.WriteTo(writer);
        }

        Copy(scratch.WrittenSpan[1..^1]);
        return this;
    }

    /// <summary>Appends text of the translator's own (a separator, a label, an id).</summary>
    public EscapedText Append(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return this;
        }

        // Written as UTF-8 in place; kept when the writer would escape none of it (the encoder also flags \ and ").
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        var written = Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        if (s_encoder.FindFirstCharacterToEncodeUtf8(_buffer.AsSpan(_length, written)) < 0)
        {
            _length += written;
            return this;
        }

        using var scratch = new PooledBufferWriter(text.Length * 6 + 16);
        using (var writer = new Utf8JsonWriter(scratch, JsonOutput.WriterOptions))
        {
            writer.WriteStringValue(text);
        }

        Copy(scratch.WrittenSpan[1..^1]);
        return this;
    }

    /// <summary>A blank line between paragraphs, unless nothing was written yet.</summary>
    public EscapedText Paragraph()
    {
        if (!IsEmpty)
        {
            // "\n\n" as the writer escapes it (WrittenAsIsTests checks the writer's spelling of line feed).
            Copy("\\n\\n"u8);
        }

        return this;
    }

    /// <summary>Writes the joined string into a writer made with <see cref="JsonOutput.WriterOptions"/>.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        Debug.Assert(WrittenAsIs.IsWriterOutput(writer), "the text is spelled for the translators' writer");
        Ensure(1);
        _buffer[_length] = (byte)'"';
        writer.WriteRawValue(_buffer.AsSpan(0, _length + 1), skipInputValidation: true);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Copy(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
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
