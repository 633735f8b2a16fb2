using System.Collections.Frozen;

namespace Inflight.Protocols.Translation;

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

    public static readonly FrozenDictionary<string, (FieldRule ToChat, FieldRule ToAnthropic, string? RefusedBecause)> Policy =
        new Dictionary<string, (FieldRule, FieldRule, string?)>(StringComparer.Ordinal)
        {
            ["model"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["input"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["instructions"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["stream"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["tools"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["tool_choice"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["parallel_tool_calls"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["text"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["reasoning"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["max_output_tokens"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["temperature"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["top_p"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["user"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["safety_identifier"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["store"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["include"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["truncation"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["background"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["metadata"] = (FieldRule.Translated, FieldRule.Dropped, null),
            ["prompt_cache_key"] = (FieldRule.Translated, FieldRule.Translated, null),
            ["prompt_cache_retention"] = (FieldRule.Translated, FieldRule.Dropped, null),
            ["service_tier"] = (FieldRule.Translated, FieldRule.Dropped, null),
            ["top_logprobs"] = (FieldRule.Dropped, FieldRule.Dropped, null),
            ["max_tool_calls"] = (FieldRule.Dropped, FieldRule.Dropped, null),
            ["stream_options"] = (FieldRule.Dropped, FieldRule.Dropped, null),
            ["context_management"] = (FieldRule.Dropped, FieldRule.Dropped, null),
            ["client_metadata"] = (FieldRule.Dropped, FieldRule.Dropped, null),
            ["previous_response_id"] = (FieldRule.Refused, FieldRule.Refused, StatelessMessage),
            ["conversation"] = (FieldRule.Refused, FieldRule.Refused, StatelessMessage),
            ["prompt"] = (FieldRule.Refused, FieldRule.Refused, "stored prompt templates live on OpenAI and translated providers cannot read them; send instructions and input instead."),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Applies the table's non-translated rules to one field: throws for a refused one, records a dropped
    /// one. Returns true when the translator's code must handle the field.
    /// </summary>
    public static bool MustTranslate(string name, System.Text.Json.Nodes.JsonNode? value, bool toAnthropic, TranslationContext ctx)
        => value is not null && MustTranslate(name, toAnthropic, ctx);

    /// <inheritdoc cref="MustTranslate(string, System.Text.Json.Nodes.JsonNode?, bool, TranslationContext)"/>
    public static bool MustTranslate(string name, System.Text.Json.JsonElement? value, bool toAnthropic, TranslationContext ctx)
        => value is not null && MustTranslate(name, toAnthropic, ctx);

    private static bool MustTranslate(string name, bool toAnthropic, TranslationContext ctx)
    {
        if (!Policy.TryGetValue(name, out var rule))
        {
            ctx.Drop($"unknown field {name}");
            return false;
        }

        switch (toAnthropic ? rule.ToAnthropic : rule.ToChat)
        {
            case FieldRule.Refused:
                throw new TranslationException(400, $"{name}: {rule.RefusedBecause}");
            case FieldRule.Dropped:
                ctx.Drop($"{name}");
                return false;
            default:
                return true;
        }
    }
}
