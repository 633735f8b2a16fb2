namespace Inflight.HistoryHosting;

/// <summary>
/// The history store as <c>/health</c> shows it: where it is, what was written, what waits, what was
/// dropped because the store was slow or down, and the last error while it is failing; then how the writer
/// batches (<c>batches</c>, so <c>written ÷ batches</c> is the mean batch size) and how far it trails (lag, in ms, from
/// the end of a batch's oldest request to its commit).
/// </summary>
internal sealed record HistoryHealth(string Store, bool Ready, long Written, int Pending, long Dropped, string? LastError)
{
    public long Batches { get; init; }

    public double LastLagMs { get; init; }

    public double MaxLagMs { get; init; }

    public static HistoryHealth Of(HistoryService history)
    {
        var writer = history.Writer;
        return writer is null
            ? new HistoryHealth(history.Display, false, 0, 0, 0, null)
            : new HistoryHealth(history.Display, writer.IsReady, writer.Written, writer.Pending, writer.Dropped, writer.LastError)
            {
                Batches = writer.Batches,
                LastLagMs = Math.Round(writer.LastLag.TotalMilliseconds, 1),
                MaxLagMs = Math.Round(writer.MaxLag.TotalMilliseconds, 1),
            };
    }
}
