namespace Inflight.Protocols.Translation;

/// <summary>
/// Output-token limits of known model families, so a translated request never asks for more than the
/// target model can produce (Claude Code sends <c>max_tokens</c> of 32,000–128,000; gpt-4o-mini rejects
/// anything over 16,384 with a 400). Figures from the providers' model pages; an operator overrides them
/// per provider with <c>{NAME}_MAX_OUTPUT_TOKENS</c> (<see cref="TranslationContext.MaxOutputTokens"/>).
/// Unknown models are not clamped: guessing low would cut answers short for no reason.
/// </summary>
internal static class OutputLimits
{
    // Longest prefix wins; matched case-insensitively against the model's last path segment
    // ("openai/gpt-4o-mini" on OpenRouter reads as "gpt-4o-mini").
    private static readonly (string Prefix, int Limit)[] s_families =
    [
        ("gpt-3.5-turbo", 4_096),
        ("gpt-4-turbo", 4_096),
        ("gpt-4o-mini", 16_384),
        ("gpt-4o", 16_384),
        ("chatgpt-4o", 16_384),
        ("gpt-4.1", 32_768),
        ("gpt-5", 128_000),
        ("o1-mini", 65_536),
        ("o1", 100_000),
        ("o3", 100_000),
        ("o4-mini", 100_000),
        ("deepseek-chat", 8_192),
        ("deepseek-reasoner", 65_536),
        ("claude-3-haiku", 4_096),
        ("claude-3-opus", 4_096),
        ("claude-3-5", 8_192),
        ("claude-3-7-sonnet", 64_000),
        ("claude-opus-4", 32_000),
        ("claude-sonnet-4", 64_000),
        ("claude-haiku-4", 64_000),
        ("claude-opus-4-5", 64_000),
        ("claude-opus-4-6", 128_000),
    ];

    /// <summary>The limit for <paramref name="model"/>: the operator's override, else the table, else null (unknown).</summary>
    public static int? For(string model, int? configured)
    {
        if (configured is { } limit)
        {
            return limit;
        }

        var name = model.AsSpan();
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        int? best = null;
        var bestLength = 0;
        foreach (var (prefix, value) in s_families)
        {
            if (prefix.Length > bestLength && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                best = value;
                bestLength = prefix.Length;
            }
        }

        return best;
    }

    /// <summary>
    /// <paramref name="requested"/> clamped to the target model's limit; notes the change on
    /// <paramref name="ctx"/> (e.g. <c>"max_tokens 64000 → 16384 (gpt-4o-mini limit)"</c>).
    /// </summary>
    public static long Clamp(string field, long requested, TranslationContext ctx)
    {
        if (For(ctx.Model, ctx.MaxOutputTokens) is { } limit && requested > limit)
        {
            ctx.Note($"{field} {requested} → {limit} ({ctx.Model} limit)");
            return limit;
        }

        return requested;
    }
}
