using System.Net;
using System.Net.Http.Headers;

namespace Inflight.Demo;

/// <summary>
/// Response content whose bytes are produced over time. HttpContent's default read stream buffers the
/// whole body first; overriding <see cref="CreateContentReadStreamAsync()"/> hands out a live stream,
/// which is what a caller using <c>HttpCompletionOption.ResponseHeadersRead</c> gets from a real socket.
/// </summary>
internal sealed class DemoStreamContent : HttpContent
{
    private readonly DemoEventStream _stream;

    public DemoStreamContent(Func<CancellationToken, IAsyncEnumerable<ReadOnlyMemory<byte>>> produce, string mediaType)
    {
        _stream = new DemoEventStream(produce);
        Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(_stream);

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => Task.FromResult<Stream>(_stream);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => _stream;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _stream.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        => _stream.CopyToAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
        }

        base.Dispose(disposing);
    }
}
