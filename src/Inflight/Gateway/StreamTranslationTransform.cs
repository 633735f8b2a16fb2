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
/// <remarks>
/// The translators write into a buffer of the transform's own, which goes to the response in one write per upstream
/// chunk: an event is written in several small pieces (its lines, then its JSON), and each write straight into the
/// response's pipe takes Kestrel's output lock (~400 a Claude Code turn, measured at ~8 µs per request).
/// </remarks>
internal sealed class StreamTranslationTransform : ResponseBodyTransform
{
    private readonly SseEventReader _reader = new();
    private readonly PooledBufferWriter _staged = new(4096);
    private readonly ApiFormat _clientFormat;
    private readonly ApiFormat _upstreamFormat;
    private readonly ISseEventHandler _translator;
    private readonly Action _complete;
    private readonly Action<string, string> _writeError;
    private readonly Action? _writePing;
    private readonly Func<bool>? _isFinished;

    public StreamTranslationTransform(ApiFormat clientFormat, ApiFormat upstreamFormat, TranslationContext context)
    {
        var output = _staged;
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
    {
        _reader.Feed(upstreamChunk, _translator);
        Drain(output);
    }

    public override void Complete(IBufferWriter<byte> output)
    {
        _complete();
        Drain(output);
    }

    public override void WriteStreamError(int status, string message, IBufferWriter<byte> output)
    {
        _writeError(_clientFormat == ApiFormat.Anthropic ? ErrorBody.AnthropicTypeForStatus(status) : ErrorBody.OpenAITypeForStatus(status), message);
        Drain(output);
    }

    /// <summary>Keep-alives while the upstream is silent: Anthropic's <c>ping</c> event, a comment in Responses streams; Chat streams have none.</summary>
    public override bool SupportsPing => _writePing is not null;

    public override void WritePing(IBufferWriter<byte> output)
    {
        _writePing?.Invoke();
        Drain(output);
    }

    public override TranslatedError TranslateError(int status, byte[] body)
        => ExchangeTranslation.TranslateError(_clientFormat, _upstreamFormat, status, body);

    public override void Dispose()
    {
        _reader.Dispose();
        (_translator as IDisposable)?.Dispose();
        _staged.Dispose();
    }

    /// <summary>What the translator wrote since the last drain, to the response in one write.</summary>
    private void Drain(IBufferWriter<byte> output)
    {
        var count = _staged.WrittenCount;
        if (count > 0)
        {
            // One span of the whole size (the Write extension would copy span by span, an Advance each).
            _staged.WrittenSpan.CopyTo(output.GetSpan(count));
            output.Advance(count);
            _staged.Clear();
        }
    }
}
