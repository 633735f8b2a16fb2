namespace Inflight.Protocols.Requests;

/// <summary>A client body the gateway cannot accept; the message is safe to show the client.</summary>
public sealed class RequestBodyException(string message) : Exception(message);
