namespace Inflight.Protocols.Translation;

/// <summary>
/// What one translated exchange needs to know, shared by the request, response and stream translators
/// of that exchange. The gateway creates one per request, sets the inputs, and reads what request
/// translation learned (<see cref="ClientStream"/>, <see cref="ClientIncludeUsage"/>) when it builds
/// the response side.
/// </summary>
public sealed class TranslationContext
{
    /// <summary>The resolved upstream model name (provider prefix stripped); written into translated request bodies.</summary>
    public required string Model { get; init; }

    /// <summary>
    /// The model name to report back to the client in responses and streams; null reports the name the
    /// upstream returned (or <see cref="Model"/> when it gave none).
    /// </summary>
    public string? ResponseModel { get; init; }

    /// <summary>
    /// Input tokens the caller estimated (e.g. with <see cref="LocalTokenCounter"/>) for the Anthropic
    /// <c>message_start</c> event, which must carry a real count before the provider reports usage:
    /// Claude Code shows context use from it.
    /// </summary>
    public int EstimatedInputTokens { get; set; }

    /// <summary>
    /// Anthropic requires <c>max_tokens</c>; OpenAI clients may omit it. This is sent when they do.
    /// </summary>
    public int DefaultMaxTokens { get; init; } = 4096;

    /// <summary>Source of the <c>created</c> timestamps in OpenAI-format output.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The target model's output-token limit when the operator set one (<c>{NAME}_MAX_OUTPUT_TOKENS</c>);
    /// null uses <see cref="OutputLimits"/>' table of known model families.
    /// </summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>
    /// Test hook: called with the bare description (e.g. <c>"top_k"</c>) of each distinct field or
    /// feature translation dropped. The record of a request is <see cref="Notes"/>.
    /// </summary>
    public Action<string>? OnDropped { get; init; }

    /// <summary>
    /// Called with each note as it is recorded (see <see cref="Notes"/>), including notes made while a
    /// response or stream is translated. Settable so the gateway can attach it once the request is tracked.
    /// </summary>
    public Action<string>? OnNote { get; set; }

    /// <summary>
    /// What translation changed, one short line each, in order: <c>"dropped: context_management"</c>,
    /// <c>"effort high → reasoning_effort high"</c>. Translation never changes a request silently: a
    /// field is translated, refused (<see cref="TranslationException"/>), or dropped and noted here.
    /// Bounded (<see cref="MaxNotes"/> notes of at most <see cref="MaxNoteLength"/> characters).
    /// </summary>
    public IReadOnlyList<string> Notes
    {
        get
        {
            lock (_notesGate)
            {
                return _notes is null ? [] : [.. _notes];
            }
        }
    }

    /// <summary>Set by request translation: whether the client asked for a stream.</summary>
    public bool ClientStream { get; set; }

    /// <summary>
    /// Set by <see cref="OpenAIToAnthropicRequest"/>: whether the OpenAI client sent
    /// <c>stream_options.include_usage: true</c>, which decides the final usage chunk.
    /// </summary>
    public bool ClientIncludeUsage { get; set; }

    /// <summary>
    /// Set by Responses request translation when it renames a client tool for the upstream (a
    /// <c>namespace</c> tool flattened to one function name): upstream function name → the client's
    /// tool name and namespace, so response and stream translation can map calls back. Null when
    /// nothing was renamed.
    /// </summary>
    public Dictionary<string, ClientToolName>? ToolNamesForClient { get; set; }

    /// <summary>Most notes kept for one exchange; later ones are ignored.</summary>
    public const int MaxNotes = 24;

    /// <summary>Longest note kept, in characters; longer ones are cut.</summary>
    public const int MaxNoteLength = 160;

    private readonly Lock _notesGate = new();

    private string? _lastDropped;
    private List<string>? _notes;
    private int _toolListLength = -1;
    private ulong _toolListKey;

    /// <summary>Records that <paramref name="what"/> (a field or feature) was dropped: the note reads <c>"dropped: what"</c>.</summary>
    internal void Drop(string what)
    {
        // The same field again (dropped on every tool or block of a request): already noted, so no string and no lock.
        // A race only sends a repeat through Note, which ignores it.
        if (ReferenceEquals(what, _lastDropped))
        {
            return;
        }

        if (Note("dropped: " + what))
        {
            OnDropped?.Invoke(what);
        }

        _lastDropped = what;
    }

    /// <summary>Records a change translation made (a mapped or clamped value). False when it was already noted or the list is full.</summary>
    internal bool Note(string note)
    {
        if (note.Length > MaxNoteLength)
        {
            note = string.Concat(note.AsSpan(0, MaxNoteLength - 1), "…");
        }

        lock (_notesGate)
        {
            _notes ??= [];
            if (_notes.Count >= MaxNotes || _notes.Contains(note))
            {
                return false;
            }

            _notes.Add(note);
        }

        OnNote?.Invoke(note);
        return true;
    }

    /// <summary>Keeps the <see cref="ToolListCache.Key"/> the token count took of the request's tool list.</summary>
    internal void KeepToolListKey(int length, ulong key) => (_toolListLength, _toolListKey) = (length, key);

    /// <summary>
    /// The kept key of a tool list of this length, else null (hash it). A wrong key (a context used for two bodies) only
    /// misses: a hit compares the bytes.
    /// </summary>
    internal ulong? ToolListKey(int length) => length == _toolListLength ? _toolListKey : null;

    internal string ModelForClient(string? upstreamModel)
        => ResponseModel ?? (string.IsNullOrEmpty(upstreamModel) ? Model : upstreamModel);
}
