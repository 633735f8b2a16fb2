namespace Inflight.Tracking;

/// <summary>Cuts strings the tracker keeps to a bounded length, marking the cut with '…'.</summary>
internal static class BoundedText
{
    public static string Cap(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        // Never leave half of a surrogate pair at the end: it would not survive JSON encoding intact.
        var cut = maxLength > 0 && char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;
        return string.Concat(value.AsSpan(0, cut), "…");
    }

    public static string? CapOrNull(string? value, int maxLength) => value is null ? null : Cap(value, maxLength);

    /// <summary>The same start when every client string fits (the common case allocates nothing).</summary>
    public static RequestStart Cap(RequestStart start, int maxLength)
        => start.RequestedModel.Length <= maxLength && start.ResolvedModel.Length <= maxLength && start.Provider.Length <= maxLength
            ? start
            : start with
            {
                Provider = Cap(start.Provider, maxLength),
                RequestedModel = Cap(start.RequestedModel, maxLength),
                ResolvedModel = Cap(start.ResolvedModel, maxLength),
            };
}
