using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Inflight.Gateway;

/// <summary>What reading a request body gave: the bytes, or the size that broke the limit, or neither (client gone).</summary>
internal readonly record struct RequestBodyRead(ReadOnlyMemory<byte>? Body, long? OversizeBytes);

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
