namespace Inflight.Tracking;

/// <summary>Client names the tracker uses when it knows nothing better.</summary>
public static class ClientNames
{
    public const string Unknown = "unknown";
}
