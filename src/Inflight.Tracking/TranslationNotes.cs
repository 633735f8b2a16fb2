namespace Inflight.Tracking;

/// <summary>Bounds on a request's <c>translation_notes</c>: they are shown on every snapshot, so they stay small.</summary>
public static class TranslationNotes
{
    /// <summary>Most notes kept per request; later ones are ignored.</summary>
    public const int MaxCount = 24;

    /// <summary>Longest note kept, in characters; a longer one is cut with an ellipsis.</summary>
    public const int MaxLength = 160;

    /// <summary>The note cut to <see cref="MaxLength"/>.</summary>
    public static string Bound(string note) => note.Length <= MaxLength ? note : string.Concat(note.AsSpan(0, MaxLength - 1), "…");
}
