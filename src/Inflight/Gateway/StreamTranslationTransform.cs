using System.Buffers;
using Inflight.Protocols;
using Inflight.Protocols.Sse;
using Inflight.Protocols.Translation;

namespace Inflight.Gateway;

/// <summary>
/// A stream from a provider of the other format, re-emitted event by event in the client's format as
/// the upstream bytes arrive (parsed incrementally; nothing is held back beyond an incomplete event).
/// </summary>
internal sealed class StreamTranslationTransform : ResponseBodyTransform
{
    private readonly SseEventReader _reader = new();
    private readonly OpenAIToAnthropicStreamTranslator? _toAnthropic;
    private readonly AnthropicToOpenAIStreamTranslator? _toOpenAI;

    public StreamTranslationTransform(ApiFormat clientFormat, TranslationContext context, IBufferWriter<byte> output)
    {
        if (clientFormat == ApiFormat.Anthropic)
        {
            _toAnthropic = new OpenAIToAnthropicStreamTranslator(context, output);
        }
        else
        {
            _toOpenAI = new AnthropicToOpenAIStreamTranslator(context, output);
        }
    }

    public override bool IsIdentity => false;

    public override string? ContentType => "text/event-stream; charset=utf-8";

    public override void Write(ReadOnlySpan<byte> upstreamChunk, IBufferWriter<byte> output)
        => _reader.Feed(upstreamChunk, (ISseEventHandler?)_toAnthropic ?? _toOpenAI!);

    public override void Complete(IBufferWriter<byte> output)
    {
        _toAnthropic?.Complete();
        _toOpenAI?.Complete();
    }

    public override void WriteStreamError(int status, string message, IBufferWriter<byte> output)
    {
        _toAnthropic?.WriteError(Protocols.Errors.ErrorBody.AnthropicTypeForStatus(status), message);
        _toOpenAI?.WriteError(Protocols.Errors.ErrorBody.OpenAITypeForStatus(status), message);
    }

    public override bool SupportsPing => _toAnthropic is not null;

    public override void WritePing(IBufferWriter<byte> output) => _toAnthropic?.WritePing();

    public override TranslatedError TranslateError(int status, byte[] body)
        => _toAnthropic is not null ? ErrorTranslator.OpenAIToAnthropic(status, body) : ErrorTranslator.AnthropicToOpenAI(status, body);

    public override void Dispose()
    {
        _reader.Dispose();
        _toAnthropic?.Dispose();
        _toOpenAI?.Dispose();
    }
}
