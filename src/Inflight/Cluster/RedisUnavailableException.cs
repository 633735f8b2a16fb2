namespace Inflight.Cluster;

/// <summary>Redis is not connected (the client keeps reconnecting in the background); the loops back off.</summary>
internal sealed class RedisUnavailableException(string message) : Exception(message);
