namespace Inflight.Protocols.Translation;

/// <summary>A tool's name as the client declared it: its name and, for a Responses <c>namespace</c> tool, the namespace.</summary>
public sealed record ClientToolName(string Name, string? Namespace)
{
    /// <summary>
    /// What the client declared: a <c>function</c> tool, or a <c>custom</c> (freeform) tool that the
    /// upstream sees as a function taking one string argument, <see cref="ResponsesTools.CustomInputProperty"/>.
    /// Output translation answers a call to a custom tool as a <c>custom_tool_call</c> whose <c>input</c> is that string.
    /// </summary>
    public ClientToolKind Kind { get; init; }
}

/// <summary>The kind of a client tool that <see cref="ClientToolName"/> maps back to.</summary>
public enum ClientToolKind
{
    Function,
    Custom,
}
