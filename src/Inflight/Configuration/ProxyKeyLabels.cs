namespace Inflight.Configuration;

/// <summary>Labels of client keys as requests show them in <c>key_label</c>.</summary>
internal static class ProxyKeyLabels
{
    /// <summary>The label of <c>PROXY_API_KEY</c> itself.</summary>
    public const string Default = "default";
}
