using System.Globalization;
using Inflight.Protocols;

namespace Inflight.Gateway;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: every routable model as <c>provider:model</c>, plus
/// each provider's aliases, in the client's shape. A request carrying <c>anthropic-version</c> (Claude Code's
/// gateway model discovery, the Anthropic SDKs) gets Anthropic's paged list; any other gets OpenAI's.
/// </summary>
internal static class ModelsEndpoint
{
    /// <summary>Anthropic's defaults and bounds for <c>limit</c>.</summary>
    private const int DefaultLimit = 20;
    private const int MaxLimit = 1000;

    public static async Task ListAsync(HttpContext context, ModelCatalog catalog)
    {
        var format = ClientFormat(context.Request);
        var query = context.Request.Query;
        var limit = DefaultLimit;
        if (format == ApiFormat.Anthropic)
        {
            if (query.TryGetValue("limit", out var rawLimit)
                && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            {
                await ClientErrors.WriteAsync(context, format, StatusCodes.Status400BadRequest, $"limit: must be an integer from 1 to {MaxLimit} (got '{rawLimit}').");
                return;
            }

            if (query.ContainsKey("after_id") && query.ContainsKey("before_id"))
            {
                await ClientErrors.WriteAsync(context, format, StatusCodes.Status400BadRequest, "after_id and before_id cannot be used together.");
                return;
            }
        }

        var catalogResult = await catalog.ListAsync(context.Request, context.RequestAborted);
        if (!await EnsureAnyAsync(context, format, catalogResult))
        {
            return;
        }

        var models = catalogResult.Models;
        if (format == ApiFormat.OpenAI)
        {
            await WriteJsonAsync(context, ModelListWriter.OpenAIList(models));
            return;
        }

        // Anthropic pages by cursor: after_id starts past that model, before_id ends before it.
        int start, end;
        if (query.TryGetValue("before_id", out var beforeId))
        {
            end = IndexOf(models, beforeId.ToString());
            start = Math.Max(0, end - limit);
        }
        else
        {
            var after = query.TryGetValue("after_id", out var afterId) ? IndexOf(models, afterId.ToString()) : -1;
            start = after >= 0 || !query.ContainsKey("after_id") ? after + 1 : -1;
            end = start < 0 ? -1 : Math.Min(models.Count, start + limit);
        }

        if (start < 0 || end < 0)
        {
            var cursor = query.ContainsKey("before_id") ? "before_id" : "after_id";
            await ClientErrors.WriteAsync(context, format, StatusCodes.Status400BadRequest, $"{cursor}: '{query[cursor]}' is not a model this gateway lists.");
            return;
        }

        var hasMore = query.ContainsKey("before_id") ? start > 0 : end < models.Count;
        await WriteJsonAsync(context, ModelListWriter.AnthropicPage([.. models.Skip(start).Take(end - start)], hasMore));
    }

    public static async Task GetAsync(HttpContext context, string modelId, ModelCatalog catalog)
    {
        var format = ClientFormat(context.Request);
        // Every listed id is provider:model, so only that provider needs asking.
        var colon = modelId.IndexOf(':', StringComparison.Ordinal);
        var catalogResult = colon > 0
            ? await catalog.ListAsync(context.Request, context.RequestAborted, modelId[..colon])
            : new ModelCatalogResult([], []);
        if (!await EnsureAnyAsync(context, format, catalogResult))
        {
            return;
        }

        var index = IndexOf(catalogResult.Models, modelId);
        if (index < 0)
        {
            await ClientErrors.WriteAsync(context, format, StatusCodes.Status404NotFound, $"Model '{modelId}' is not listed by this gateway. GET /v1/models lists every provider's models as 'provider:model'.");
            return;
        }

        var model = catalogResult.Models[index];
        await WriteJsonAsync(context, format == ApiFormat.Anthropic ? ModelListWriter.AnthropicModel(model) : ModelListWriter.OpenAIModel(model));
    }

    private static ApiFormat ClientFormat(HttpRequest request)
        => request.Headers.ContainsKey("anthropic-version") ? ApiFormat.Anthropic : ApiFormat.OpenAI;

    /// <summary>An empty list because every provider failed is a gateway fault (502), not an empty catalog.</summary>
    private static async Task<bool> EnsureAnyAsync(HttpContext context, ApiFormat format, ModelCatalogResult result)
    {
        if (result.Models.Count > 0 || result.Failures.Count == 0)
        {
            return true;
        }

        await ClientErrors.WriteAsync(context, format, StatusCodes.Status502BadGateway, "No provider's model list could be had: " + string.Join("; ", result.Failures) + ".");
        return false;
    }

    private static int IndexOf(IReadOnlyList<ModelEntry> models, string id)
    {
        for (var i = 0; i < models.Count; i++)
        {
            if (models[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    private static async Task WriteJsonAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
