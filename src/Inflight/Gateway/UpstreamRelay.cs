using System.Buffers;
using System.Runtime.CompilerServices;
using Inflight.Configuration;
using Inflight.Protocols;
using Inflight.Protocols.Accounting;
using Inflight.Protocols.Translation;
using Inflight.Tracking;
using Microsoft.AspNetCore.Http.Features;

namespace Inflight.Gateway;

/// <summary>
/// Sends one request upstream and relays the answer to the client as it arrives: each upstream read
/// is written and flushed at once, and accounting looks at the same bytes afterwards, so observing
/// never delays the client. Faults become errors in the client's format and a typed tracker entry.
/// </summary>
internal sealed partial class UpstreamRelay(
    HttpContext context,
    TrackedRequest tracked,
    ApiFormat clientFormat,
    ApiFormat upstreamFormat,
    bool isStreaming,
    ResponseBodyTransform transform,
    TimeSpan requestTimeout,
    TimeSpan pingInterval,
    TimeSpan clientWriteTimeout,
    SecretRedactor redactor,
    CancellationToken shutdownDeadline,
    TimeProvider timeProvider,
    ILogger logger)
{
    private const int RelayBufferSize = 16 * 1024;
    private const int MaxErrorBodyBytes = 1024 * 1024;

    /// <summary>
    /// The status of a cancelled request (nginx's "client closed request"): a 4xx, so SDKs do not retry
    /// what an operator stopped.
    /// </summary>
    public const int CancelledStatus = 499;

    /// <summary>The request's chat span, shown the upstream's answer; null when no tracer records it.</summary>
    public ChatSpan? Span { get; init; }

    /// <summary>The request's content peek (<c>VDM_CAPTURE_CONTENT=true</c>); null keeps the answer's text uncopied.</summary>
    public ContentPeek? ContentPeek { get; init; }

    // Armed only while a flush to the client is pending: CLIENT_WRITE_TIMEOUT measures a write that makes no progress.
    private CancellationTokenSource? _writeTimer;
    private CancellationTokenSource? _writeCancel;

    // Created on the first read that has to wait; holds the relay's one ping timer, disposed with the relay.
    private KeepAliveWait? _keepAlive;

    public async Task RunAsync(HttpClient client, HttpRequestMessage request)
    {
        var clientAborted = context.RequestAborted;

        // One timer for the wait on headers and then on each chunk: REQUEST_TIMEOUT is an idle limit.
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, idle.Token, tracked.AbortToken, shutdownDeadline);
        idle.CancelAfter(requestTimeout);

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
        {
            tracked.Fail(ErrorTypes.ClientDisconnect, "The client disconnected before the upstream answered.");
            Log.ClientGone(logger, tracked.RequestId);
            return;
        }
        catch (OperationCanceledException) when (tracked.IsCancelRequested)
        {
            await FailCancelledAsync();
            return;
        }
        catch (OperationCanceledException) when (shutdownDeadline.IsCancellationRequested)
        {
            await FailShutdownAsync();
            return;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            var message = $"The upstream did not answer within {requestTimeout.TotalSeconds:0.###} s (REQUEST_TIMEOUT).";
            tracked.Fail(ErrorTypes.UpstreamTimeout, message, StatusCodes.Status504GatewayTimeout);
            Log.UpstreamTimeout(logger, tracked.RequestId, tracked.Start.Provider);
            await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status504GatewayTimeout, message);
            return;
        }
        catch (HttpRequestException ex)
        {
            // The exception's text names the upstream's address: the log gets it, the client and the stored message do not.
            var message = $"The upstream provider '{tracked.Start.Provider}' could not be reached ({ex.HttpRequestError}).";
            tracked.Fail(ErrorTypes.UpstreamError, message, StatusCodes.Status502BadGateway);
            Log.UpstreamUnreachable(logger, tracked.RequestId, tracked.Start.Provider, ex.Message);
            await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status502BadGateway, message);
            return;
        }

        using (response)
        {
            tracked.MarkUpstreamHeaders((int)response.StatusCode);
            if (!response.IsSuccessStatusCode)
            {
                await RelayUpstreamErrorAsync(response, linked.Token);
                return;
            }

            await RelayBodyAsync(response, idle, linked.Token);
        }
    }

    private async Task RelayUpstreamErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        byte[] body;
        try
        {
            body = await ReadBoundedAsync(response.Content, MaxErrorBodyBytes, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            body = [];
        }

        body = redactor.Redact(body);

        var errorType = status switch
        {
            429 => ErrorTypes.RateLimit,
            401 or 403 => ErrorTypes.AuthError,
            400 or 404 or 413 or 422 => ErrorTypes.BadRequest,
            _ => ErrorTypes.UpstreamHttpError,
        };
        tracked.Fail(errorType, $"Upstream answered {status}: {Truncate(body)}", status);
        Log.UpstreamHttpError(logger, tracked.RequestId, tracked.Start.Provider, status);

        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        ResponseHeaderCopier.Copy(response, context.Response, keepContentLength: false, HeaderNames());
        if (body.Length == 0)
        {
            await ClientErrors.WriteAsync(context, clientFormat, status, $"The upstream provider answered {status} with an empty body.");
            return;
        }

        var (clientStatus, clientBody) = transform.TranslateError(status, body);
        context.Response.StatusCode = clientStatus;
        if (!transform.IsIdentity)
        {
            context.Response.ContentType = "application/json";
        }

        context.Response.ContentLength = clientBody.Length;
        await context.Response.Body.WriteAsync(clientBody, context.RequestAborted);
    }

    private async Task RelayBodyAsync(HttpResponseMessage response, CancellationTokenSource idle, CancellationToken cancellationToken)
    {
        var clientAborted = context.RequestAborted;
        var listener = new TrackedUsageListener(tracked, ContentPeek);
        var status = (int)response.StatusCode;

        context.Response.StatusCode = status;
        ResponseHeaderCopier.Copy(response, context.Response, keepContentLength: transform.IsIdentity, HeaderNames());
        if (transform.ContentType is { } contentType)
        {
            context.Response.ContentType = contentType;
        }

        if (isStreaming)
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        }

        using var writeTimer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        using var writeCancel = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, writeTimer.Token);
        _writeTimer = writeTimer;
        _writeCancel = writeCancel;
        using var accountant = isStreaming ? StreamAccountant.Create(upstreamFormat, listener) : null;
        // Sized from Content-Length when the upstream sends one (tiny answers stay tiny); pooled either way.
        using var wholeBody = isStreaming ? null : new PooledBufferWriter((int)Math.Min(response.Content.Headers.ContentLength ?? 4096, RelayBufferSize));
        // A stream holds no relay buffer while it waits: a zero-byte read waits for the upstream's next bytes
        // and the buffer is rented only to copy them (YARP's StreamCopier does the same). Thousands of idle
        // streams then cost no 16 KB each (docs/performance.md, held-open streams).
        var buffer = isStreaming ? null : ArrayPool<byte>.Shared.Rent(RelayBufferSize);
        var output = context.Response.BodyWriter;
        var first = true;
        // Whether the answer's closing event has been flushed to the client: a client that leaves after it
        // (Codex closes on response.completed, before the upstream's [DONE]) had the whole answer.
        var endDelivered = false;
        try
        {
            Stream upstream;
            try
            {
                upstream = await response.Content.ReadAsStreamAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (tracked.IsCancelRequested)
            {
                await FailCancelledAsync();
                return;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                await FailMidStreamAsync(ErrorTypes.StreamingError, StatusCodes.Status502BadGateway, $"The upstream stream broke: {ex.Message}");
                return;
            }

            while (true)
            {
                idle.CancelAfter(requestTimeout);
                int read;
                try
                {
                    if (buffer is null)
                    {
                        await ReadWithPingsAsync(upstream, Memory<byte>.Empty, output, cancellationToken);
                        buffer = ArrayPool<byte>.Shared.Rent(RelayBufferSize);
                    }

                    read = await ReadWithPingsAsync(upstream, buffer, output, cancellationToken);
                }
                catch (OperationCanceledException) when (writeTimer.IsCancellationRequested)
                {
                    // A keep-alive ping's write timed out. Kestrel aborts a connection whose write was cancelled,
                    // so the client looks gone too by now; the timeout is what happened.
                    FailClientTimeout();
                    return;
                }
                catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
                {
                    RecordClientGone(endDelivered, status, accountant?.StreamError);
                    return;
                }
                catch (OperationCanceledException) when (tracked.IsCancelRequested)
                {
                    await FailCancelledAsync();
                    return;
                }
                catch (OperationCanceledException) when (shutdownDeadline.IsCancellationRequested)
                {
                    await FailShutdownAsync();
                    return;
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested)
                {
                    Log.UpstreamTimeout(logger, tracked.RequestId, tracked.Start.Provider);
                    await FailMidStreamAsync(ErrorTypes.UpstreamTimeout, StatusCodes.Status504GatewayTimeout, $"The upstream sent nothing for {requestTimeout.TotalSeconds:0.###} s (REQUEST_TIMEOUT).");
                    return;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    Log.StreamBroken(logger, tracked.RequestId, tracked.Start.Provider, ex.Message);
                    await FailMidStreamAsync(ErrorTypes.StreamingError, StatusCodes.Status502BadGateway, $"The upstream stream broke: {ex.Message}");
                    return;
                }

                if (read == 0)
                {
                    break;
                }

                tracked.MarkBytes();

                if (first)
                {
                    tracked.MarkFirstByte();
                    first = false;
                }

                var chunk = buffer.AsMemory(0, read);
                transform.Write(chunk.Span, output);

                var flush = transform.BuffersWholeBody ? default : await FlushToClientAsync(output);
                if (writeTimer.IsCancellationRequested)
                {
                    FailClientTimeout();
                    return;
                }

                if (flush.IsCanceled || flush.IsCompleted || clientAborted.IsCancellationRequested)
                {
                    RecordClientGone(endDelivered, status, accountant?.StreamError);
                    return;
                }

                // After the client has its bytes: accounting never delays the stream.
                accountant?.Feed(chunk.Span);
                if (isStreaming)
                {
                    Span?.Feed(chunk.Span);
                }

                endDelivered = isStreaming && (transform.WroteEnd || accountant?.SawEnd == true);
                wholeBody?.Write(chunk.Span);
                if (isStreaming)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }

            try
            {
                transform.Complete(output);
            }
            catch (Exception ex) when (ex is TranslationException or System.Text.Json.JsonException)
            {
                Log.UntranslatableResponse(logger, tracked.RequestId, tracked.Start.Provider, ex.Message);
                await FailMidStreamAsync(ErrorTypes.UpstreamError, StatusCodes.Status502BadGateway, $"The upstream answer could not be translated: {ex.Message}");
                return;
            }

            await FlushToClientAsync(output);
            if (writeTimer.IsCancellationRequested)
            {
                FailClientTimeout();
                return;
            }

            if (wholeBody is not null)
            {
                ResponseUsageReader.Read(upstreamFormat, wholeBody.WrittenSpan, listener);
                Span?.ReadBody(wholeBody.WrittenSpan);
            }

            Finish(status, accountant?.StreamError);
        }
        catch (OperationCanceledException) when (writeTimer.IsCancellationRequested)
        {
            FailClientTimeout();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && clientAborted.IsCancellationRequested)
        {
            RecordClientGone(endDelivered, status, accountant?.StreamError);
        }
        finally
        {
            _keepAlive?.Dispose();
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// The answer ended: a success, unless the provider ended its stream with an error event in band. That stream began
    /// with 200, but the answer failed, and the request log, totals and dashboard say so (as upstream_error, recorded
    /// as 502 like the other failures of a started stream).
    /// </summary>
    private void Finish(int status, string? streamError)
    {
        if (streamError is null)
        {
            tracked.Complete(status);
            return;
        }

        Log.StreamErrorEvent(logger, tracked.RequestId, tracked.Start.Provider, streamError);
        tracked.Fail(ErrorTypes.UpstreamError, $"The provider ended the stream with an error: {streamError}", StatusCodes.Status502BadGateway);
    }

    /// <summary>
    /// The client left mid-response: a success when it already had the answer's closing event (only the
    /// upstream's trailing bytes were left), a client_disconnect otherwise.
    /// </summary>
    private void RecordClientGone(bool endDelivered, int status, string? streamError)
    {
        if (endDelivered || streamError is not null)
        {
            // After the provider's own error event the client is expected to leave: that error is what happened.
            Finish(status, streamError);
            return;
        }

        tracked.Fail(ErrorTypes.ClientDisconnect, "The client disconnected during the response; the upstream request was cancelled.");
        Log.ClientGone(logger, tracked.RequestId);
    }

    /// <summary>
    /// One upstream read. While it is pending, a transform that wants keep-alives (an Anthropic-format
    /// stream translated from an OpenAI provider, which stays silent while a reasoning model thinks) writes
    /// a <c>ping</c> event every <see cref="GatewayOptions.StreamPingInterval"/>, as Anthropic's own API does.
    /// </summary>
    private ValueTask<int> ReadWithPingsAsync(Stream upstream, Memory<byte> buffer, System.IO.Pipelines.PipeWriter output, CancellationToken cancellationToken)
    {
        var pending = upstream.ReadAsync(buffer, cancellationToken);
        return !transform.SupportsPing || pending.IsCompleted ? pending : WaitWithPingsAsync(pending, output);
    }

    /// <summary>
    /// Waits on a pending read; each time the upstream has been silent for the interval, writes a ping and
    /// flushes it here, on the relay's own flow, so the response never has two writers.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WaitWithPingsAsync(ValueTask<int> pending, System.IO.Pipelines.PipeWriter output)
    {
        var keepAlive = _keepAlive ??= new KeepAliveWait(pingInterval, timeProvider);
        keepAlive.Watch(pending);
        while (!await keepAlive.WaitAsync())
        {
            transform.WritePing(output);
            await FlushToClientAsync(output);
            if (_writeTimer?.IsCancellationRequested == true)
            {
                throw new OperationCanceledException();
            }
        }

        return keepAlive.TakeRead();
    }

    /// <summary>An operator cancelled the request: the upstream call is already aborted; tell the client in its format.</summary>
    private Task FailCancelledAsync()
    {
        Log.Cancelled(logger, tracked.RequestId, tracked.CancelledBy ?? "-");
        return FailMidStreamAsync(ErrorTypes.Cancelled, CancelledStatus, $"The request was cancelled by an operator of the gateway ({tracked.CancelledBy}).");
    }

    /// <summary>A flush to the client that gives up after <c>CLIENT_WRITE_TIMEOUT</c> without progress (result: canceled).</summary>
    private async ValueTask<System.IO.Pipelines.FlushResult> FlushToClientAsync(System.IO.Pipelines.PipeWriter output)
    {
        var pending = output.FlushAsync(_writeCancel!.Token);
        if (pending.IsCompleted)
        {
            return pending.Result;
        }

        _writeTimer!.CancelAfter(clientWriteTimeout);
        try
        {
            return await pending;
        }
        finally
        {
            _writeTimer.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The client stopped reading: close its connection, and leaving the relay closes the upstream's.</summary>
    private void FailClientTimeout()
    {
        tracked.Fail(ErrorTypes.ClientTimeout, $"The client read nothing for {clientWriteTimeout.TotalSeconds:0.###} s (CLIENT_WRITE_TIMEOUT); both sides were closed.");
        Log.ClientWriteTimeout(logger, tracked.RequestId);
        context.Abort();
    }

    /// <summary>SHUTDOWN_TIMEOUT passed: the client gets a 503 (or a stream's error event) and the request ends as shutdown.</summary>
    private Task FailShutdownAsync()
    {
        Log.EndedByShutdown(logger, tracked.RequestId);
        return FailMidStreamAsync(ErrorTypes.Shutdown, StatusCodes.Status503ServiceUnavailable, GatewayShutdown.Message);
    }

    /// <summary>A translated answer's headers take the client's names; a passed-through one keeps the provider's.</summary>
    private HeaderTranslation? HeaderNames()
        => clientFormat == upstreamFormat ? null : new HeaderTranslation(upstreamFormat, clientFormat, timeProvider.GetUtcNow());

    /// <summary>Ends a response that already started: an error event for streams, an aborted connection otherwise.</summary>
    private async Task FailMidStreamAsync(string errorType, int status, string message)
    {
        tracked.Fail(errorType, message, status);
        if (!context.Response.HasStarted)
        {
            await ClientErrors.WriteAsync(context, clientFormat, status, message);
            return;
        }

        if (!isStreaming)
        {
            // A half-sent JSON body cannot be repaired; closing the connection tells the client it is incomplete.
            context.Abort();
            return;
        }

        try
        {
            transform.WriteStreamError(status, message, context.Response.BodyWriter);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client left too; the tracker already holds the upstream failure.
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (buffer.WrittenCount < limit)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(4096), cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Truncate(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 500));
        return body.Length > 500 ? text + "…" : text;
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Debug, "Request {RequestId}: client disconnected; upstream request cancelled", EventName = "ClientGone")]
        public static partial void ClientGone(ILogger logger, string requestId);

        [LoggerMessage(11, LogLevel.Warning, "Request {RequestId}: provider {Provider} timed out", EventName = "UpstreamTimeout")]
        public static partial void UpstreamTimeout(ILogger logger, string requestId, string provider);

        [LoggerMessage(12, LogLevel.Warning, "Request {RequestId}: provider {Provider} unreachable: {Reason}", EventName = "UpstreamUnreachable")]
        public static partial void UpstreamUnreachable(ILogger logger, string requestId, string provider, string reason);

        [LoggerMessage(13, LogLevel.Information, "Request {RequestId}: provider {Provider} answered {Status}", EventName = "UpstreamHttpError")]
        public static partial void UpstreamHttpError(ILogger logger, string requestId, string provider, int status);

        [LoggerMessage(14, LogLevel.Warning, "Request {RequestId}: stream from {Provider} broke: {Reason}", EventName = "StreamBroken")]
        public static partial void StreamBroken(ILogger logger, string requestId, string provider, string reason);

        [LoggerMessage(16, LogLevel.Warning, "Request {RequestId}: cancelled by {CancelledBy}; upstream request aborted", EventName = "Cancelled")]
        public static partial void Cancelled(ILogger logger, string requestId, string cancelledBy);

        [LoggerMessage(17, LogLevel.Warning, "Request {RequestId}: the client read nothing within CLIENT_WRITE_TIMEOUT; both sides closed", EventName = "ClientWriteTimeout")]
        public static partial void ClientWriteTimeout(ILogger logger, string requestId);

        [LoggerMessage(18, LogLevel.Warning, "Request {RequestId}: still running when SHUTDOWN_TIMEOUT passed; ended", EventName = "EndedByShutdown")]
        public static partial void EndedByShutdown(ILogger logger, string requestId);

        [LoggerMessage(19, LogLevel.Warning, "Request {RequestId}: {Provider} ended the stream with an error: {Error}", EventName = "StreamErrorEvent")]
        public static partial void StreamErrorEvent(ILogger logger, string requestId, string provider, string error);

        [LoggerMessage(15, LogLevel.Warning, "Request {RequestId}: answer from {Provider} could not be translated: {Reason}", EventName = "UntranslatableResponse")]
        public static partial void UntranslatableResponse(ILogger logger, string requestId, string provider, string reason);
    }
}
