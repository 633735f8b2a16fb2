using System.Buffers;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Writes SSE events whose data is one JSON object straight into the caller's buffer writer, reusing a
/// single <see cref="Utf8JsonWriter"/>: no intermediate strings or arrays per event.
/// </summary>
internal sealed class SseOutput : IDisposable
{
    private readonly IBufferWriter<byte> _output;
    private readonly Utf8JsonWriter _json;

    public SseOutput(IBufferWriter<byte> output)
    {
        _output = output;
        _json = new Utf8JsonWriter(output, JsonOutput.WriterOptions);
    }

    /// <summary>Starts an event: writes the <c>event:</c> line (when given) and <c>data: </c>, returns the JSON writer.</summary>
    public Utf8JsonWriter Begin(ReadOnlySpan<byte> eventName)
    {
        if (!eventName.IsEmpty)
        {
            Write("event: "u8);
            Write(eventName);
            Write("\n"u8);
        }

        Write("data: "u8);
        _json.Reset(_output);
        return _json;
    }

    /// <summary>The writer of the event begun last.</summary>
    public Utf8JsonWriter Json => _json;

    /// <summary>Ends the JSON and the event (blank line).</summary>
    public void End()
    {
        _json.Flush();
        Write("\n\n"u8);
    }

    public void Write(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    public void Dispose() => _json.Dispose();
}
