using System.Text;

namespace Inflight.Metrics;

/// <summary>
/// What the content peek keeps of one active request (<c>VDM_CAPTURE_CONTENT=true</c>): the first 1 KB of the last
/// user message and the last 4 KB of the answer's visible text, in a fixed ring. Exists only while the request is
/// active (see <see cref="ContentCapture"/>); written by the relay, read by the detail endpoint.
/// </summary>
internal sealed class ContentPeek(string? lastUserMessage)
{
    public const int OutputCapacity = 4096;
    public const int UserMessageCapacity = 1024;

    private readonly Lock _gate = new();
    private readonly byte[] _ring = new byte[OutputCapacity];
    private long _written;

    public string? LastUserMessage { get; } = lastUserMessage;

    /// <summary>Appends answer text (UTF-8); only the last <see cref="OutputCapacity"/> bytes are kept.</summary>
    public void AppendOutput(ReadOnlySpan<byte> utf8)
    {
        lock (_gate)
        {
            if (utf8.Length > OutputCapacity)
            {
                _written += utf8.Length - OutputCapacity;
                utf8 = utf8[^OutputCapacity..];
            }

            var at = (int)(_written % OutputCapacity);
            var first = Math.Min(utf8.Length, OutputCapacity - at);
            utf8[..first].CopyTo(_ring.AsSpan(at));
            utf8[first..].CopyTo(_ring);
            _written += utf8.Length;
        }
    }

    /// <summary>The kept tail of the answer (starting at a whole character) and how many bytes of text went by in all.</summary>
    public (string Tail, long TotalBytes) ReadOutput()
    {
        var copy = new byte[OutputCapacity];
        int count;
        long total;
        lock (_gate)
        {
            total = _written;
            count = (int)Math.Min(total, OutputCapacity);
            var start = (int)((total - count) % OutputCapacity);
            var first = Math.Min(count, OutputCapacity - start);
            _ring.AsSpan(start, first).CopyTo(copy);
            _ring.AsSpan(0, count - first).CopyTo(copy.AsSpan(first));
        }

        // The ring may have cut a character: skip its continuation bytes (10xxxxxx).
        var skip = 0;
        while (skip < count && (copy[skip] & 0xC0) == 0x80)
        {
            skip++;
        }

        return (Encoding.UTF8.GetString(copy, skip, count - skip), total);
    }
}
