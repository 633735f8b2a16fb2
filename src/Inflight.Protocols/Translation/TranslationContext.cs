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
    /// Called once per distinct field or feature the translation dropped or approximated (e.g.
    /// <c>"top_k"</c>, <c>"thinking: model does not support reasoning_effort"</c>), so the gateway can
    /// log it at debug level. Null ignores them.
    /// </summary>
    public Action<string>? OnDropped { get; init; }

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

    private HashSet<string>? _reported;

    internal void Drop(string what)
    {
        if (OnDropped is null)
        {
            return;
        }

        _reported ??= new HashSet<string>(StringComparer.Ordinal);
        if (_reported.Add(what))
        {
            OnDropped(what);
        }
    }

    internal string ModelForClient(string? upstreamModel)
        => ResponseModel ?? (string.IsNullOrEmpty(upstreamModel) ? Model : upstreamModel);
}
