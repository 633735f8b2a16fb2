using Inflight.Configuration;
using Inflight.Protocols;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;
using Inflight.Tracking;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// The request path through the gateway: read and check the body, route the model, register the
/// request with the tracker, send it upstream and relay the answer chunk by chunk while accounting
/// observes the bytes. Every path finalizes the tracked request exactly once (the handle is disposed
/// in a <c>using</c>, which records "unexpected_error" if nothing more specific did).
/// </summary>
internal sealed partial class GatewayForwarder(
    UpstreamClients clients,
    ModelRouter router,
    RequestTracker tracker,
    IOptions<GatewayOptions> options,
    SecretRedactor redactor,
    GatewayShutdown shutdown,
    GenAiTracing tracing,
    ContentCapture contentCapture,
    TimeProvider timeProvider,
    ILogger<GatewayForwarder> logger)
{

    /// <summary>Provider and model recorded for requests refused before routing or translation.</summary>
    private const string RejectedKey = "-";

    private readonly GatewayOptions _options = options.Value;

    /// <summary>The response header that carries Inflight's own request id on every gateway answer.</summary>
    public const string RequestIdHeader = "x-inflight-request-id";

    public async Task ForwardAsync(HttpContext context, GatewayEndpoint endpoint)
    {
        // Before anything can fail: every answer, error or not, names the id the metrics endpoints know.
        var received = timeProvider.GetTimestamp();
        var requestId = tracker.NewRequestId();
        context.Response.Headers[RequestIdHeader] = requestId;
        try
        {
            await ForwardCoreAsync(context, endpoint, requestId, received);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // A bug, not a fault of the client or the upstream: the tracked request was already finalized as
            // unexpected_error by its using; the client still gets an error it can parse.
            Log.UnexpectedFailure(logger, endpoint.Path, ex);
            if (context.Response.HasStarted)
            {
                context.Abort();
            }
            else
            {
                await ClientErrors.WriteAsync(context, endpoint.ClientFormat, StatusCodes.Status500InternalServerError, $"Inflight could not handle the request ({ex.GetType().Name}); see the gateway's log.");
            }
        }
    }

    private async Task ForwardCoreAsync(HttpContext context, GatewayEndpoint endpoint, string requestId, long received)
    {
        var clientFormat = endpoint.ClientFormat;
        var body = await ReadBodyAsync(context, clientFormat, requestId);
        if (body is null)
        {
            return;
        }

        // One parse serves the inspector, the token count and the request translator; disposed (its pooled index returned) once the upstream body is built.
        using var parsed = RequestInspector.TryParse(body.Value, out var parseError);
        RequestSummary summary;
        try
        {
            summary = RequestInspector.Inspect(clientFormat, parsed ?? throw parseError!, requireMessages: true);
        }
        catch (RequestBodyException ex)
        {
            Log.BadRequest(logger, endpoint.Path, ex.Message);
            RecordRejected(context, requestId, "-", clientFormat, body.Value.Length, ErrorTypes.BadRequest, ex.Message, 400);
            await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }

        if (!router.TryResolve(summary.Model, out var route, out var routeError))
        {
            Log.UnknownProvider(logger, ModelRouter.Shorten(summary.Model));
            RecordRejected(context, requestId, summary.Model, clientFormat, body.Value.Length, ErrorTypes.BadRequest, routeError!, 404);
            await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status404NotFound, routeError!);
            return;
        }

        var provider = route!.Provider;
        var upstreamFormat = ExchangeTranslation.UpstreamFormat(provider, clientFormat);
        var translating = upstreamFormat != clientFormat;
        if (ExchangeTranslation.Refusal(clientFormat, upstreamFormat, provider, summary) is { } refusal)
        {
            Log.BadRequest(logger, endpoint.Path, refusal);
            RecordRejected(context, requestId, summary.Model, clientFormat, body.Value.Length, ErrorTypes.BadRequest, refusal, 400);
            await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status400BadRequest, refusal);
            return;
        }

        TranslationContext? translation = null;
        ReadOnlyMemory<byte> upstreamBody;

        // A translated body is written into pooled memory and sent from there; it goes back when the exchange is over.
        using var translatedBody = translating ? new PooledBufferWriter(body.Value.Length + 1024) : null;
        var estimatedInput = Math.Max(1, summary.TextBytes / 4);
        if (translating)
        {
            translation = new TranslationContext
            {
                Model = route.ResolvedModel,
                ResponseModel = route.RequestedModel,
                MaxOutputTokens = provider.MaxOutputTokens,
                TimeProvider = timeProvider,
            };
            try
            {
                // A real tokenizer count: Claude Code shows context use from message_start's input_tokens.
                if (clientFormat == ApiFormat.Anthropic)
                {
                    estimatedInput = LocalTokenCounter.Shared.CountAnthropicRequest(parsed!.RootElement, translation);
                }

                translation.EstimatedInputTokens = (int)Math.Min(int.MaxValue, estimatedInput);
                ExchangeTranslation.TranslateRequest(clientFormat, upstreamFormat, parsed!, translation, translatedBody!);
                upstreamBody = translatedBody!.WrittenMemory;
            }
            catch (Exception ex) when (ex is TranslationException or System.Text.Json.JsonException)
            {
                var status = ex is TranslationException te ? te.Status : StatusCodes.Status400BadRequest;
                Log.BadRequest(logger, endpoint.Path, ex.Message);
                RecordRejected(context, requestId, summary.Model, clientFormat, body.Value.Length, ErrorTypes.BadRequest, ex.Message, status);
                await ClientErrors.WriteAsync(context, clientFormat, status, ex.Message);
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
            {
                // A shape the translator did not expect (e.g. an unpaired surrogate escape in a string it reads):
                // the body is at fault, so the client gets a 400; the warning makes the translator gap visible.
                var message = $"The request body could not be translated: {ex.Message}";
                Log.TranslatorRejected(logger, endpoint.Path, ex);
                RecordRejected(context, requestId, summary.Model, clientFormat, body.Value.Length, ErrorTypes.BadRequest, message, StatusCodes.Status400BadRequest);
                await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status400BadRequest, message);
                return;
            }
        }
        else
        {
            upstreamBody = default;
        }

        // Nothing reads the parsed body from here on; its pooled index goes back now rather than when a long stream ends.
        parsed!.Dispose();

        var (clientName, clientVersion) = ClientAttribution.ParseClient(context.Request.Headers);
        using var tracked = tracker.Start(new RequestStart
        {
            RequestId = requestId,
            ReceivedTimestamp = received,
            ClientName = clientName,
            ClientVersion = clientVersion,
            SessionId = ClientAttribution.ParseSession(context.Request.Headers),
            UserId = summary.UserId,
            KeyLabel = ProxyKeyFilter.KeyLabelOf(context),
            Provider = provider.Name,
            RequestedModel = route.RequestedModel,
            ResolvedModel = route.ResolvedModel,
            IsStreaming = summary.IsStreaming,
            ClientFormat = clientFormat.ToWireName(),
            UpstreamFormat = upstreamFormat.ToWireName(),
            RequestSize = body.Value.Length,
            MessageCount = summary.MessageCount ?? 0,
            ToolUses = summary.ToolUses,
            ToolResults = summary.ToolResults,
            EstimatedInputTokens = estimatedInput,
        });
        // The request's chat span (null unless a tracer records it); it ends when the request is finalized.
        var span = tracing.StartChat(tracked, provider, body.Value.Span);
        if (translation is not null)
        {
            // What request translation changed is on the record from the start; later notes (response side) arrive live.
            var requestNotes = translation.Notes;
            tracked.AddTranslationNotes(requestNotes);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                foreach (var note in requestNotes)
                {
                    Log.TranslationNote(logger, provider.Name, note);
                }
            }

            translation.OnNote = note =>
            {
                tracked.AddTranslationNote(note);
                Log.TranslationNote(logger, provider.Name, note);
            };
        }

        // OpenAI streams report usage only when asked; ask, and hide the extra chunk from a client that did
        // not. (Translated requests always ask; the translator decides what the client sees.)
        var injectUsage = !translating && upstreamFormat == ApiFormat.OpenAI && summary.IsStreaming && !summary.IncludeUsageRequested;
        if (!translating)
        {
            upstreamBody = RequestBodyRewriter.Rewrite(body.Value, route.ResolvedModel, injectUsage);
        }

        using var upstreamRequest = UpstreamRequestFactory.Create(provider, upstreamFormat, GatewayEndpoint.UpstreamPath(upstreamFormat) + (translating ? "" : context.Request.QueryString.Value), context.Request, upstreamBody);
        using ResponseBodyTransform transform = translation is null
            ? new PassThroughTransform(clientFormat, hideUsageChunk: injectUsage)
            : summary.IsStreaming
                ? new StreamTranslationTransform(clientFormat, upstreamFormat, translation)
                : new JsonTranslationTransform(clientFormat, upstreamFormat, translation);
        var relay = new UpstreamRelay(context, tracked, clientFormat, upstreamFormat, summary.IsStreaming, transform, _options.RequestTimeout, _options.StreamPingInterval, _options.ClientWriteTimeout, redactor, shutdown.Deadline, timeProvider, logger)
        {
            Span = span,
            ContentPeek = contentCapture.Begin(tracked, clientFormat, body.Value.Span),
        };
        await relay.RunAsync(clients.For(provider), upstreamRequest);
    }

    /// <summary>Reads the whole body within <c>MAX_REQUEST_BYTES</c>; null when an error was already written.</summary>
    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context, ApiFormat clientFormat, string requestId)
    {
        var read = await RequestBodyReader.ReadAsync(context, _options.MaxRequestBytes);
        if (read.OversizeBytes is { } size)
        {
            await RejectTooLargeAsync(context, clientFormat, size, requestId);
        }
        else if (read.RejectedStatus is { } status)
        {
            var message = read.RejectedMessage!;
            Log.BadRequest(logger, context.Request.Path, message);
            RecordRejected(context, requestId, "-", clientFormat, context.Request.ContentLength ?? 0, status == StatusCodes.Status408RequestTimeout ? ErrorTypes.Timeout : ErrorTypes.BadRequest, message, status);
            await ClientErrors.WriteAsync(context, clientFormat, status, message);
        }
        else if (read.Body is null)
        {
            Log.ClientDisconnected(logger, "reading the request body");
        }

        return read.Body;
    }

    private async Task RejectTooLargeAsync(HttpContext context, ApiFormat clientFormat, long size, string requestId)
    {
        var message = RequestBodyReader.TooLargeMessage(_options.MaxRequestBytes);
        Log.BadRequest(logger, context.Request.Path, message);
        RecordRejected(context, requestId, "-", clientFormat, size, ErrorTypes.BadRequest, message, 413);
        await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status413PayloadTooLarge, message);
    }

    /// <summary>
    /// Requests refused before reaching a provider still show up in the error log and totals — under one
    /// <c>-:-</c> key, so client-chosen model names never create provider or model keys.
    /// </summary>
    private void RecordRejected(HttpContext context, string requestId, string requestedModel, ApiFormat clientFormat, long size, string errorType, string message, int status)
    {
        var (clientName, clientVersion) = ClientAttribution.ParseClient(context.Request.Headers);
        using var request = tracker.Start(new RequestStart
        {
            RequestId = requestId,
            ClientName = clientName,
            ClientVersion = clientVersion,
            SessionId = ClientAttribution.ParseSession(context.Request.Headers),
            KeyLabel = ProxyKeyFilter.KeyLabelOf(context),
            Provider = RejectedKey,
            RequestedModel = requestedModel,
            ResolvedModel = RejectedKey,
            ClientFormat = clientFormat.ToWireName(),
            UpstreamFormat = "-",
            RequestSize = size,
        });
        request.Fail(errorType, message, status);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Rejected request to {Path}: {Reason}", EventName = "BadRequest")]
        public static partial void BadRequest(ILogger logger, string path, string reason);

        [LoggerMessage(2, LogLevel.Information, "No provider for model '{Model}'", EventName = "UnknownProvider")]
        public static partial void UnknownProvider(ILogger logger, string model);

        [LoggerMessage(3, LogLevel.Debug, "Client disconnected while {Stage}", EventName = "ClientDisconnected")]
        public static partial void ClientDisconnected(ILogger logger, string stage);

        [LoggerMessage(5, LogLevel.Error, "Unexpected failure handling {Path}", EventName = "UnexpectedFailure")]
        public static partial void UnexpectedFailure(ILogger logger, string path, Exception exception);

        [LoggerMessage(6, LogLevel.Warning, "Request to {Path} refused: the translator could not read the body", EventName = "TranslatorRejected")]
        public static partial void TranslatorRejected(ILogger logger, string path, Exception exception);

        [LoggerMessage(4, LogLevel.Debug, "Translation for provider {Provider}: {Note}", EventName = "TranslationNote")]
        public static partial void TranslationNote(ILogger logger, string provider, string note);
    }
}
