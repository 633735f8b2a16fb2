namespace Inflight.HistoryHosting;

/// <summary>
/// The history store as <c>/health</c> shows it: where it is, what was written, what waits, what was
/// dropped because the store was slow or down, and the last error while it is failing.
/// </summary>
internal sealed record HistoryHealth(string Store, bool Ready, long Written, int Pending, long Dropped, string? LastError)
{
    public static HistoryHealth Of(HistoryService history)
    {
        var writer = history.Writer;
        return writer is null
            ? new HistoryHealth(history.Display, false, 0, 0, 0, null)
            : new HistoryHealth(history.Display, writer.IsReady, writer.Written, writer.Pending, writer.Dropped, writer.LastError);
    }
}
