using System.Buffers;
using Inflight.Protocols;
using Inflight.Protocols.Errors;
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
    private readonly ApiFormat _clientFormat;
    private readonly ApiFormat _upstreamFormat;
    private readonly ISseEventHandler _translator;
    private readonly Action _complete;
    private readonly Action<string, string> _writeError;
    private readonly Action? _writePing;
    private readonly Func<bool>? _isFinished;

    public StreamTranslationTransform(ApiFormat clientFormat, ApiFormat upstreamFormat, TranslationContext context, IBufferWriter<byte> output)
    {
        _clientFormat = clientFormat;
        _upstreamFormat = upstreamFormat;
        switch (clientFormat, upstreamFormat)
        {
            case (ApiFormat.Anthropic, ApiFormat.OpenAI):
                var toAnthropic = new OpenAIToAnthropicStreamTranslator(context, output);
                (_translator, _complete, _writeError, _writePing) = (toAnthropic, toAnthropic.Complete, toAnthropic.WriteError, toAnthropic.WritePing);
                break;
            case (ApiFormat.OpenAI, ApiFormat.Anthropic):
                var toOpenAI = new AnthropicToOpenAIStreamTranslator(context, output);
                (_translator, _complete, _writeError, _isFinished) = (toOpenAI, toOpenAI.Complete, toOpenAI.WriteError, () => toOpenAI.IsFinished);
                break;
            case (ApiFormat.Responses, ApiFormat.OpenAI):
                var chatToResponses = new OpenAIToResponsesStreamTranslator(context, output);
                (_translator, _complete, _writeError, _writePing, _isFinished) = (chatToResponses, chatToResponses.Complete, chatToResponses.WriteError, chatToResponses.WritePing, () => chatToResponses.IsFinished);
                break;
            case (ApiFormat.Responses, ApiFormat.Anthropic):
                var messagesToResponses = new AnthropicToResponsesStreamTranslator(context, output);
                (_translator, _complete, _writeError, _writePing, _isFinished) = (messagesToResponses, messagesToResponses.Complete, messagesToResponses.WriteError, messagesToResponses.WritePing, () => messagesToResponses.IsFinished);
                break;
            default:
                throw new InvalidOperationException($"No stream translator from {upstreamFormat} to {clientFormat}.");
        }
    }

    public override bool IsIdentity => false;

    public override string? ContentType => "text/event-stream; charset=utf-8";

    public override bool WroteEnd => _isFinished?.Invoke() == true;

    public override void Write(ReadOnlySpan<byte> upstreamChunk, IBufferWriter<byte> output)
        => _reader.Feed(upstreamChunk, _translator);

    public override void Complete(IBufferWriter<byte> output) => _complete();

    public override void WriteStreamError(int status, string message, IBufferWriter<byte> output)
        => _writeError(_clientFormat == ApiFormat.Anthropic ? ErrorBody.AnthropicTypeForStatus(status) : ErrorBody.OpenAITypeForStatus(status), message);

    /// <summary>Keep-alives while the upstream is silent: Anthropic's <c>ping</c> event, a comment in Responses streams; Chat streams have none.</summary>
    public override bool SupportsPing => _writePing is not null;

    public override void WritePing(IBufferWriter<byte> output) => _writePing?.Invoke();

    public override TranslatedError TranslateError(int status, byte[] body)
        => ExchangeTranslation.TranslateError(_clientFormat, _upstreamFormat, status, body);

    public override void Dispose()
    {
        _reader.Dispose();
        (_translator as IDisposable)?.Dispose();
    }
}
