using System.Buffers;
using Inflight.Protocols;
using Inflight.Protocols.Translation;

namespace Inflight.Gateway;

/// <summary>
/// A non-streamed answer from a provider of the other format: collected, then translated whole when
/// the upstream body ends (a JSON document cannot be translated before it is complete).
/// </summary>
internal sealed class JsonTranslationTransform(ApiFormat clientFormat, ApiFormat upstreamFormat, TranslationContext context) : ResponseBodyTransform
{
    private readonly ArrayBufferWriter<byte> _body = new(16 * 1024);

    public override bool IsIdentity => false;

    public override string? ContentType => "application/json";

    /// <summary>Nothing reaches the client until the whole upstream body is in.</summary>
    public override bool BuffersWholeBody => true;

    public override void Write(ReadOnlySpan<byte> upstreamChunk, IBufferWriter<byte> output) => _body.Write(upstreamChunk);

    public override void Complete(IBufferWriter<byte> output)
        => output.Write(ExchangeTranslation.TranslateResponse(clientFormat, upstreamFormat, _body.WrittenSpan, context));

    public override void WriteStreamError(int status, string message, IBufferWriter<byte> output)
    {
        // Not a stream: the relay answers with a plain error instead, since nothing was sent yet.
    }

    public override TranslatedError TranslateError(int status, byte[] body)
        => ExchangeTranslation.TranslateError(clientFormat, upstreamFormat, status, body);
}
