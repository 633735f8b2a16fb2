using System.Buffers;
using System.Globalization;
using System.Text;

namespace Inflight.Metrics;

/// <summary>
/// One Server-Sent Event, encoded to UTF-8 once and then shared, unchanged, by every subscriber
/// (<c>event: …\nid: …\ndata: …\n\n</c>). Immutable: <see cref="Utf8"/> is never written after construction.
/// </summary>
internal sealed class SseFrame
{
    /// <summary>Sent once at the start of every stream (EventSource's reconnection delay, in ms).</summary>
    public const int ReconnectDelayMs = 3000;

    private SseFrame(long id, long trackerVersion, long builtAt, byte[] utf8)
    {
        Id = id;
        TrackerVersion = trackerVersion;
        BuiltAt = builtAt;
        Utf8 = utf8;
    }

    /// <summary>Strictly increasing across frames: a higher id always carries a newer snapshot.</summary>
    public long Id { get; }

    /// <summary>The <see cref="Tracking.RequestTracker.Version"/> the snapshot was taken at.</summary>
    public long TrackerVersion { get; }

    /// <summary>When it was built, as a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long BuiltAt { get; }

    public byte[] Utf8 { get; }

    /// <summary>A comment line: SSE parsers ignore it, but it keeps proxies and idle timeouts from closing the stream.</summary>
    public static ReadOnlyMemory<byte> Heartbeat { get; } = ": heartbeat\n\n"u8.ToArray();

    /// <summary>The <c>retry:</c> field that opens every stream.</summary>
    public static ReadOnlyMemory<byte> Retry { get; } = Encoding.UTF8.GetBytes(
        "retry: " + ReconnectDelayMs.ToString(CultureInfo.InvariantCulture) + "\n\n");

    /// <summary>
    /// Encodes an event whose data is one line of JSON written by <paramref name="writeJson"/>.
    /// <paramref name="scratch"/> is reused between calls by the single caller that owns it.
    /// </summary>
    public static SseFrame Create(string eventType, long id, long trackerVersion, long builtAt, ArrayBufferWriter<byte> scratch, Action<IBufferWriter<byte>> writeJson)
    {
        scratch.ResetWrittenCount();
        Append(scratch, "event: ");
        Append(scratch, eventType);
        Append(scratch, "\nid: ");
        Append(scratch, id.ToString(CultureInfo.InvariantCulture));
        Append(scratch, "\ndata: ");

        // System.Text.Json writes unindented JSON and escapes control characters, so the data is one line.
        writeJson(scratch);
        Append(scratch, "\n\n");
        return new SseFrame(id, trackerVersion, builtAt, scratch.WrittenSpan.ToArray());
    }

    private static void Append(ArrayBufferWriter<byte> writer, string ascii)
    {
        var span = writer.GetSpan(ascii.Length);
        var written = Encoding.UTF8.GetBytes(ascii, span);
        writer.Advance(written);
    }
}
