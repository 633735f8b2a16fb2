namespace Inflight.Protocols.Translation;

/// <summary>
/// Reasoning effort between the two formats. Anthropic (<c>output_config.effort</c>): low, medium, high
/// (the default), max. OpenAI (<c>reasoning_effort</c>): none, minimal, low, medium (the default), high,
/// xhigh. Levels without a counterpart go to the nearest one, and the change is noted.
/// </summary>
internal static class Effort
{
    /// <summary>Anthropic's default when thinking is adaptive and no effort is given (effort reference: "high is the default").</summary>
    public const string AnthropicDefault = "high";

    /// <summary>Anthropic effort → OpenAI reasoning_effort; null for a value Anthropic does not define.</summary>
    public static string? ToOpenAI(string? anthropicEffort) => anthropicEffort switch
    {
        "low" or "medium" or "high" => anthropicEffort,

        // xhigh exists only on the newest OpenAI models; high is the level every reasoning model takes.
        "max" or "xhigh" => "high",
        _ => null,
    };

    /// <summary>OpenAI reasoning_effort → Anthropic effort; null for <c>none</c> (no thinking) or an unknown value.</summary>
    public static string? ToAnthropic(string? openAIEffort, string model) => openAIEffort switch
    {
        "minimal" or "low" => "low",
        "medium" => "medium",
        "high" => "high",
        "xhigh" => SupportsMaxEffort(model) ? "max" : "high",
        _ => null,
    };

    /// <summary>
    /// A manual thinking budget as an effort level. The thresholds split Anthropic's budget range (min
    /// 1024) roughly where the effort levels' typical reasoning lengths fall.
    /// </summary>
    public static string FromBudget(long budget) => budget switch
    {
        < 4096 => "low",
        < 16384 => "medium",
        _ => "high",
    };

    /// <summary>The manual budget for an effort level on models that still need <c>budget_tokens</c>.</summary>
    public static int Budget(string anthropicEffort) => anthropicEffort switch
    {
        "low" => 1024,
        "medium" => 4096,
        "high" => 16384,
        _ => 32000,
    };

    /// <summary>
    /// Current Claude models take <c>thinking: {"type":"adaptive"}</c> with <c>output_config.effort</c>
    /// (Opus/Sonnet 4.6 and later; the newest accept nothing else). Older ones and unknown
    /// Anthropic-format models get a manual <c>budget_tokens</c>, which every thinking model accepts.
    /// </summary>
    public static bool SupportsAdaptive(string model)
    {
        var name = LastSegment(model);
        if (!name.StartsWith("claude-", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (name.StartsWith("claude-mythos", StringComparison.OrdinalIgnoreCase) || name.StartsWith("claude-fable", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // claude-<family>-<major>[-<minor>]…: 4.6 and later, or 5 and later. The older naming,
        // claude-<major>-<minor>-<family> (claude-3-7-sonnet), is all Claude 3.
        var parts = name.Split('-');
        if (parts.Length < 3 || int.TryParse(parts[1], out _) || !int.TryParse(parts[2], out var major))
        {
            return false;
        }

        if (major >= 5 && major < 100)
        {
            return true;
        }

        return major == 4 && parts.Length > 3 && int.TryParse(parts[3], out var minor) && minor is >= 6 and < 100;
    }

    /// <summary>"max" effort exists on Opus 4.6 and later (effort reference); elsewhere high is the top.</summary>
    private static bool SupportsMaxEffort(string model)
        => SupportsAdaptive(model) && LastSegment(model).Contains("opus", StringComparison.OrdinalIgnoreCase);

    private static string LastSegment(string model)
    {
        var slash = model.LastIndexOf('/');
        return slash >= 0 ? model[(slash + 1)..] : model;
    }
}
