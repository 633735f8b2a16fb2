namespace Inflight.Protocols.Translation;

/// <summary>What translation does with one request field that has no one-to-one counterpart.</summary>
internal enum FieldRule
{
    /// <summary>Carried to the other format (possibly mapped; a changed value is noted).</summary>
    Translated,

    /// <summary>Harmless to lose: left out and recorded as <c>"dropped: field"</c> in the request's translation notes.</summary>
    Dropped,

    /// <summary>Losing it would change what the model does: the request is refused with a 400 naming the field.</summary>
    Refused,
}

/// <summary>A field's rule and the reason, for the per-direction policy tables (docs/translation.md lists them too).</summary>
internal readonly record struct FieldPolicy(FieldRule Rule, string Why)
{
    public static FieldPolicy Translated(string how) => new(FieldRule.Translated, how);

    public static FieldPolicy Dropped(string why) => new(FieldRule.Dropped, why);

    public static FieldPolicy Refused(string why) => new(FieldRule.Refused, why);
}
