namespace Inflight.Tracking;

/// <summary>
/// Told about every finished request (metrics, traces, the history store) and, if it cares, every started one.
/// Called once per request on the thread that started or finalized it, after the tracker's lock is released:
/// keep it quick and never throw.
/// </summary>
public interface IRequestObserver
{
    /// <summary>A request became active (it is already in the active list).</summary>
    void OnStarted(TrackedRequest request)
    {
    }

    void OnFinished(TrackedRequest request, RequestLogEntry entry);
}
