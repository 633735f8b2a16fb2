using Inflight.Protocols;

namespace Inflight.Gateway;

/// <summary>
/// Forwards small, untracked calls (model lists, token counts) to a provider and copies the answer back,
/// with the same fault mapping as the tracked path: 502 unreachable, 504 too slow.
/// </summary>
internal static class PlainForwarder
{
    public static async Task ForwardAsync(HttpContext context, HttpClient client, HttpRequestMessage request, ApiFormat clientFormat, TimeSpan timeout, TimeProvider timeProvider, SecretRedactor redactor)
    {
        using var idle = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, idle.Token);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                body = redactor.Redact(body);
            }

            context.Response.StatusCode = (int)response.StatusCode;
            ResponseHeaderCopier.Copy(response, context.Response, keepContentLength: false);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; nothing to answer.
        }
        catch (OperationCanceledException)
        {
            await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status504GatewayTimeout, $"The upstream did not answer within {timeout.TotalSeconds:0.###} s (REQUEST_TIMEOUT).");
        }
        catch (HttpRequestException ex)
        {
            await ClientErrors.WriteAsync(context, clientFormat, StatusCodes.Status502BadGateway, $"The upstream provider could not be reached ({ex.HttpRequestError}).");
        }
    }
}
