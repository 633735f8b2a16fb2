using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Inflight.Metrics;

/// <summary>Strict parsing of the metrics endpoints' query parameters, with errors that name the parameter.</summary>
internal static class MetricsQuery
{
    public const string YamlContentType = "application/yaml";

    public static JsonHttpResult<MetricsErrorPayload> BadRequest(MetricsErrorPayload error)
        => TypedResults.Json(error, MetricsJsonContext.Default.MetricsErrorPayload, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>Accepts what the spec's proxy (FastAPI) accepts for booleans; anything else is an error, not "false".</summary>
    public static bool TryParseBool(string name, string? raw, bool defaultValue, out bool value, out MetricsErrorPayload? error)
    {
        error = null;
        value = defaultValue;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        switch (raw.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                error = MetricsErrorPayload.BadParameter(name, $"{name} must be true or false; got '{raw}'.");
                return false;
        }
    }

    public static bool TryParseLimit(string name, string? raw, int defaultValue, int max, out int value, out MetricsErrorPayload? error)
    {
        error = null;
        value = Math.Min(defaultValue, max);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        if (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            error = MetricsErrorPayload.BadParameter(name, $"{name} must be a whole number from 0 to {max}; got '{raw}'.");
            return false;
        }

        // Larger than the ring is not an error: the ring simply holds fewer.
        value = Math.Min(parsed, max);
        return true;
    }

    /// <summary>
    /// JSON when <c>?format=json</c>, or when no format is given and the client accepts
    /// <c>application/json</c> (and does not prefer YAML); YAML otherwise, as the spec's proxy does.
    /// </summary>
    public static bool TryWantsJson(HttpRequest request, out bool json, out MetricsErrorPayload? error)
    {
        error = null;
        json = false;
        var format = request.Query["format"].ToString();
        if (!string.IsNullOrWhiteSpace(format))
        {
            switch (format.Trim().ToLowerInvariant())
            {
                case "json":
                    json = true;
                    return true;
                case "yaml" or "yml":
                    return true;
                default:
                    error = MetricsErrorPayload.BadParameter("format", $"format must be json or yaml; got '{format}'.");
                    return false;
            }
        }

        var accept = request.GetTypedHeaders().Accept;
        double jsonQuality = 0, yamlQuality = 0;
        foreach (var mediaType in accept)
        {
            var quality = mediaType.Quality ?? 1.0;
            if (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                jsonQuality = Math.Max(jsonQuality, quality);
            }
            else if (IsYaml(mediaType))
            {
                yamlQuality = Math.Max(yamlQuality, quality);
            }
        }

        json = jsonQuality > 0 && jsonQuality > yamlQuality;
        return true;
    }

    private static bool IsYaml(MediaTypeHeaderValue mediaType)
        => mediaType.MediaType.Equals(YamlContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.Equals("application/x-yaml", StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.Equals("text/yaml", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The metrics endpoints' own error body, the same shape as their 401: <c>{"error":...,"message":...}</c>.</summary>
internal sealed record MetricsErrorPayload(string Error, string Message, string? Parameter)
{
    public static MetricsErrorPayload BadParameter(string parameter, string message) => new("bad_request", message, parameter);
}
