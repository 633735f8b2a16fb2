using System.Buffers;
using Inflight.Protocols.Translation;

namespace Inflight.Gateway;

/// <summary>
/// How upstream response bytes become the client's: passed through as they are, or translated to the
/// client's API format. Called once per upstream read; whatever it writes is flushed to the client at once.
/// </summary>
internal abstract class ResponseBodyTransform : IDisposable
{
    /// <summary>True when the client gets exactly the upstream bytes, so the upstream's Content-Length holds.</summary>
    public abstract bool IsIdentity { get; }

    /// <summary>Upstream content type to announce instead of the upstream's, or null to keep it.</summary>
    public virtual string? ContentType => null;

    /// <summary>True when nothing is written until <see cref="Complete"/> (so a failure can still get a proper status).</summary>
    public virtual bool BuffersWholeBody => false;

    /// <summary>True once the client has been sent the closing event of the answer in its format (translated streams).</summary>
    public virtual bool WroteEnd => false;

    public abstract void Write(ReadOnlySpan<byte> upstreamChunk, IBufferWriter<byte> output);

    /// <summary>The upstream body ended normally.</summary>
    public abstract void Complete(IBufferWriter<byte> output);

    /// <summary>Ends a started stream with an error event in the client's format.</summary>
    public abstract void WriteStreamError(int status, string message, IBufferWriter<byte> output);

    /// <summary>True when the client's format has keep-alive events to send while the upstream is silent.</summary>
    public virtual bool SupportsPing => false;

    public virtual void WritePing(IBufferWriter<byte> output)
    {
    }

    /// <summary>An upstream error answer in the client's format (same-format errors pass as they are).</summary>
    public virtual TranslatedError TranslateError(int status, byte[] body) => new(status, body);

    public virtual void Dispose()
    {
    }
}
