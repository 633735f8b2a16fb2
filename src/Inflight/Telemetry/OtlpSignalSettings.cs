using OpenTelemetry.Exporter;

namespace Inflight.Telemetry;

/// <summary>
/// The OTLP settings of one signal (<c>TRACES</c> or <c>METRICS</c>). The exporter reads the generic
/// <c>OTEL_EXPORTER_OTLP_*</c> variables itself; the signal's own <c>OTEL_EXPORTER_OTLP_{SIGNAL}_ENDPOINT</c>,
/// <c>_PROTOCOL</c> and <c>_HEADERS</c>, which it does not read, override them here. A signal's own endpoint is
/// used as it is (its path included), as the specification says.
/// </summary>
internal sealed record OtlpSignalSettings(bool Enabled, Uri? Endpoint, OtlpExportProtocol? Protocol, string? Headers)
{
    public const string Prefix = "OTEL_EXPORTER_OTLP_";
    public const string EndpointKey = Prefix + "ENDPOINT";
    public const string ProtocolKey = Prefix + "PROTOCOL";
    public const string Traces = "TRACES";
    public const string Metrics = "METRICS";

    /// <summary>Reads <paramref name="signal"/>'s settings; each malformed value adds a line to <paramref name="errors"/> (and is left to the default).</summary>
    public static OtlpSignalSettings Read(IConfiguration configuration, string signal, List<string> errors)
    {
        var endpoint = ReadEndpoint(configuration, Prefix + signal + "_ENDPOINT", errors);
        var protocol = ReadProtocol(configuration, Prefix + signal + "_PROTOCOL", errors);
        var headers = configuration[Prefix + signal + "_HEADERS"];
        var enabled = endpoint is not null || !string.IsNullOrWhiteSpace(configuration[EndpointKey]);
        return new OtlpSignalSettings(enabled, endpoint, protocol, string.IsNullOrWhiteSpace(headers) ? null : headers.Trim());
    }

    /// <summary>The generic variables' problems, which the exporter would otherwise ignore silently.</summary>
    public static void CheckGeneric(IConfiguration configuration, List<string> errors)
    {
        ReadEndpoint(configuration, EndpointKey, errors);
        ReadProtocol(configuration, ProtocolKey, errors);
    }

    public void Apply(OtlpExporterOptions options)
    {
        if (Protocol is { } protocol)
        {
            options.Protocol = protocol;
        }

        if (Endpoint is not null)
        {
            options.Endpoint = Endpoint;
        }

        if (Headers is not null)
        {
            options.Headers = Headers;
        }
    }

    private static Uri? ReadEndpoint(IConfiguration configuration, string key, List<string> errors)
    {
        var raw = configuration[key]?.Trim();
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        if (Uri.TryCreate(raw, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        errors.Add($"{key} must be an absolute http(s) URL; got '{raw}'.");
        return null;
    }

    private static OtlpExportProtocol? ReadProtocol(IConfiguration configuration, string key, List<string> errors)
    {
        var raw = configuration[key]?.Trim();
        switch (raw)
        {
            case null or "":
                return null;
            case "grpc":
                return OtlpExportProtocol.Grpc;
            case "http/protobuf":
                return OtlpExportProtocol.HttpProtobuf;
            default:
                errors.Add($"{key} must be grpc or http/protobuf; got '{raw}'.");
                return null;
        }
    }
}
