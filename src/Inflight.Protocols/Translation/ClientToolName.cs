namespace Inflight.Protocols.Translation;

/// <summary>A tool's name as the client declared it: its name and, for a Responses <c>namespace</c> tool, the namespace.</summary>
public sealed record ClientToolName(string Name, string? Namespace);
