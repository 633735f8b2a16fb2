using System.Buffers;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Text built up from stream fragments in a pooled array (grown by doubling, the old array returned): a
/// streamed item's text, arguments or summary, which its <c>.done</c> events and the final response
/// repeat whole. Appending a fragment allocates nothing once the pool holds arrays of the sizes a stream
/// needs. <see cref="Dispose"/> returns the array; an instance that is never disposed just leaves it to
/// the garbage collector.
/// </summary>
internal sealed class PooledText : IDisposable
{
    private char[] _chars = [];

    public int Length { get; private set; }

    public ReadOnlySpan<char> Span => _chars.AsSpan(0, Length);

    public void Append(ReadOnlySpan<char> text)
    {
        if (Length + text.Length > _chars.Length)
        {
            var grown = ArrayPool<char>.Shared.Rent(Math.Max(Length + text.Length, Math.Max(256, _chars.Length * 2)));
            Span.CopyTo(grown);
            Return();
            _chars = grown;
        }

        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    public void Clear() => Length = 0;

    public override string ToString() => new(Span);

    public void Dispose()
    {
        Return();
        Length = 0;
    }

    private void Return()
    {
        if (_chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }
    }
}
