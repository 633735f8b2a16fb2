namespace Inflight.Protocols.Translation;

/// <summary>
/// One client tool list as a request translator wrote it: what <see cref="ToolListCache"/> keeps, and what a request's
/// translation takes from it. Immutable once built; shared by every request that sends the same list.
/// </summary>
internal sealed class TranslatedToolList
{
    /// <summary>The client's raw <c>tools</c> array; null for a list too large to keep (<see cref="ToolListCache.MaxListBytes"/>), which is written straight into its request.</summary>
    public required byte[]? Source { get; init; }

    /// <summary>The translated array, written as the <c>tools</c> value; null when no tool is sent upstream, or the list is not kept.</summary>
    public required byte[]? Json { get; init; }

    /// <summary>Names of the tools sent upstream (what a <c>tool_choice</c> may name).</summary>
    public required IReadOnlySet<string> Sent { get; init; }

    /// <summary>Names of the tools left out (server tools that run on the client's provider only).</summary>
    public required IReadOnlySet<string> Dropped { get; init; }

    /// <summary>What translating the list dropped, in order, as <see cref="TranslationContext.Drop"/> takes it: replayed on each request.</summary>
    public required IReadOnlyList<string> Drops { get; init; }
}
