namespace Inflight.Tracking;

/// <summary>
/// Told about every finished request (metrics, traces, the history store). Called once per request on
/// the thread that finalized it, after the tracker's lock is released: keep it quick and never throw.
/// </summary>
public interface IRequestObserver
{
    void OnFinished(TrackedRequest request, RequestLogEntry entry);
}
