using System.Collections.Frozen;

namespace Inflight.Protocols.Translation;

/// <summary>What happens to a top-level Responses request field when it is translated for another format.</summary>
internal enum FieldHandling
{
    /// <summary>Carried over by the translator's code (which may still record a note for some values).</summary>
    Translated,

    /// <summary>No counterpart and harmless to leave out: dropped, with a translation note.</summary>
    Dropped,

    /// <summary>Leaving it out would change what the model does or what the client gets: 400 naming the field.</summary>
    Refused,
}

/// <summary>
/// The whole field policy for Responses requests on one screen, per target format. Fields not listed
/// are dropped and recorded as unknown. A null value counts as absent.
/// </summary>
/// <remarks>
/// Statefulness: Inflight stores nothing for translated providers. <c>previous_response_id</c>,
/// <c>conversation</c> and stored <c>prompt</c> templates need state the provider does not have and are
/// refused. <c>store: true</c> (the API's default, so plain SDK calls send it implicitly) is accepted and
/// recorded as not stored: the response itself is unaffected; only a later retrieval by id fails, and
/// that request gets its own 400. <c>background: true</c> is refused: it answers with a stored response
/// to poll.
/// </remarks>
internal static class ResponsesRequestFields
{
    public const string StatelessMessage = "Inflight is stateless for translated providers: it keeps no stored responses or conversations. Send the whole conversation in input (with store: false) instead.";

    public static readonly FrozenDictionary<string, (FieldHandling ToChat, FieldHandling ToAnthropic, string? RefusedBecause)> Policy =
        new Dictionary<string, (FieldHandling, FieldHandling, string?)>(StringComparer.Ordinal)
        {
            ["model"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["input"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["instructions"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["stream"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["tools"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["tool_choice"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["parallel_tool_calls"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["text"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["reasoning"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["max_output_tokens"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["temperature"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["top_p"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["user"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["safety_identifier"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["store"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["include"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["truncation"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["background"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["metadata"] = (FieldHandling.Translated, FieldHandling.Dropped, null),
            ["prompt_cache_key"] = (FieldHandling.Translated, FieldHandling.Translated, null),
            ["prompt_cache_retention"] = (FieldHandling.Translated, FieldHandling.Dropped, null),
            ["service_tier"] = (FieldHandling.Translated, FieldHandling.Dropped, null),
            ["top_logprobs"] = (FieldHandling.Dropped, FieldHandling.Dropped, null),
            ["max_tool_calls"] = (FieldHandling.Dropped, FieldHandling.Dropped, null),
            ["stream_options"] = (FieldHandling.Dropped, FieldHandling.Dropped, null),
            ["context_management"] = (FieldHandling.Dropped, FieldHandling.Dropped, null),
            ["client_metadata"] = (FieldHandling.Dropped, FieldHandling.Dropped, null),
            ["previous_response_id"] = (FieldHandling.Refused, FieldHandling.Refused, StatelessMessage),
            ["conversation"] = (FieldHandling.Refused, FieldHandling.Refused, StatelessMessage),
            ["prompt"] = (FieldHandling.Refused, FieldHandling.Refused, "stored prompt templates live on OpenAI and translated providers cannot read them; send instructions and input instead."),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Applies the table's non-translated rules to one field: throws for a refused one, records a dropped
    /// one. Returns true when the translator's code must handle the field.
    /// </summary>
    public static bool MustTranslate(string name, System.Text.Json.Nodes.JsonNode? value, bool toAnthropic, TranslationContext ctx)
    {
        if (value is null)
        {
            return false;
        }

        if (!Policy.TryGetValue(name, out var rule))
        {
            ctx.Drop($"dropped: unknown field {name}");
            return false;
        }

        switch (toAnthropic ? rule.ToAnthropic : rule.ToChat)
        {
            case FieldHandling.Refused:
                throw new TranslationException(400, $"{name}: {rule.RefusedBecause}");
            case FieldHandling.Dropped:
                ctx.Drop($"dropped: {name}");
                return false;
            default:
                return true;
        }
    }
}
