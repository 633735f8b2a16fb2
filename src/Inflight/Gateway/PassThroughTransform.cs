using System.Buffers;
using Inflight.Protocols;
using Inflight.Protocols.Accounting;

namespace Inflight.Gateway;

/// <summary>
/// Same-format responses: the client gets the upstream's bytes untouched — except, when the gateway
/// asked an OpenAI upstream for usage the client did not request, the extra usage-only chunk.
/// </summary>
internal sealed class PassThroughTransform(ApiFormat clientFormat, bool hideUsageChunk) : ResponseBodyTransform
{
    private readonly OpenAIUsageChunkFilter? _usageFilter = hideUsageChunk ? new OpenAIUsageChunkFilter() : null;

    public override bool IsIdentity => _usageFilter is null;

    public override void Write(ReadOnlySpan<byte> upstreamChunk, IBufferWriter<byte> output)
    {
        if (_usageFilter is null)
        {
            output.Write(upstreamChunk);
        }
        else
        {
            _usageFilter.Filter(upstreamChunk, output);
        }
    }

    public override void Complete(IBufferWriter<byte> output) => _usageFilter?.Complete(output);

    public override void WriteStreamError(int status, string message, IBufferWriter<byte> output)
        => output.Write(ClientErrors.StreamErrorEvent(clientFormat, status, message));

    public override void Dispose() => _usageFilter?.Dispose();
}
