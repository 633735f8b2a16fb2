using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Inflight.Gateway;

/// <summary>
/// What reading a request body gave: the bytes, or the size that broke the limit, or a status and message for a body
/// Kestrel refused (400 bad framing, 408 stopped arriving), or none of these (client gone).
/// </summary>
internal readonly record struct RequestBodyRead(ReadOnlyMemory<byte>? Body, long? OversizeBytes, int? RejectedStatus = null, string? RejectedMessage = null);

/// <summary>
/// Reads a whole request body within <c>MAX_REQUEST_BYTES</c>, for every gateway endpoint that takes one. The
/// gateway enforces its own limit instead of Kestrel's fixed default, and stops reading as soon as it is passed.
/// </summary>
internal static class RequestBodyReader
{
    public static async Task<RequestBodyRead> ReadAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return new(null, context.Request.ContentLength.Value);
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException ex) when (!context.RequestAborted.IsCancellationRequested)
            {
                // Without an answer here Kestrel would send an empty 200: the client deserves the reason.
                return ex.StatusCode == StatusCodes.Status408RequestTimeout
                    ? new(null, null, StatusCodes.Status408RequestTimeout, "The request body stopped arriving (slower than the server's minimum data rate).")
                    : new(null, null, StatusCodes.Status400BadRequest, $"The request body is malformed at the HTTP level: {ex.Message}");
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
            {
                return new(null, null);
            }

            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                return new(null, result.Buffer.Length);
            }

            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return new(bytes, null);
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    public static string TooLargeMessage(long limit)
        => $"The request body exceeds the gateway's limit of {limit} bytes (MAX_REQUEST_BYTES).";
}
