using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// An OpenAI reasoning effort as Anthropic thinking, following Anthropic's current docs: Claude 4.6 and
/// later take <c>thinking: {"type": "adaptive"}</c> plus <c>output_config.effort</c> (low, medium, high;
/// max on Opus) and reject fixed budgets from Opus 4.7 on; older models take only
/// <c>thinking: {"type": "enabled", "budget_tokens": N}</c>.
/// </summary>
internal static class ClaudeThinking
{
    /// <summary>Budgets for models without adaptive thinking (Anthropic's minimum is 1024).</summary>
    private const int LowBudget = 1024;
    private const int MediumBudget = 4096;
    private const int HighBudget = 16384;

    /// <summary>
    /// Whether the model takes adaptive thinking: Claude 4.6 and later, and names that are not recognisably
    /// an older Claude (Anthropic-format servers for other models follow the current API).
    /// </summary>
    public static bool SupportsAdaptive(string model)
    {
        var name = model.AsSpan();
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        if (!name.StartsWith("claude-", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // claude-sonnet-4-6, claude-opus-4-7-20260101, claude-3-7-sonnet-latest: the first two numbers are the version.
        int? major = null, minor = null;
        foreach (var part in name.ToString().Split('-', '.'))
        {
            if (part.Length is 0 or > 2 || !part.All(char.IsAsciiDigit))
            {
                continue;
            }

            if (major is null)
            {
                major = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                minor = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
                break;
            }
        }

        return major switch
        {
            null => true,
            > 4 => true,
            4 => minor >= 6,
            _ => false,
        };
    }

    /// <summary>
    /// Writes <c>thinking</c> (and <c>output_config.effort</c> for adaptive models) for an OpenAI effort.
    /// Returns the thinking budget for models that need one (the caller keeps <c>max_tokens</c> above it),
    /// 0 for adaptive thinking, or null when the effort asks for no thinking.
    /// </summary>
    public static int? Apply(string effort, string model, JsonObject output, TranslationContext ctx)
    {
        var level = effort switch
        {
            "none" => null,
            "minimal" or "low" => "low",
            "medium" => "medium",
            "high" => "high",
            "xhigh" or "max" => "max",
            _ => throw new TranslationException(400, $"reasoning.effort: '{effort}' is not one of none, minimal, low, medium, high, xhigh."),
        };

        if (level is null)
        {
            ctx.Drop("reasoning.effort none → no thinking");
            return null;
        }

        if (SupportsAdaptive(model))
        {
            // "max" exists on Opus only; elsewhere the highest level is "high".
            if (level == "max" && !model.Contains("opus", StringComparison.OrdinalIgnoreCase))
            {
                level = "high";
            }

            output["thinking"] = new JsonObject { ["type"] = "adaptive" };
            OutputConfig(output)["effort"] = level;
            ctx.Drop($"reasoning.effort {effort} → thinking adaptive, effort {level}");
            return 0;
        }

        var budget = level switch { "low" => LowBudget, "medium" => MediumBudget, _ => HighBudget };
        output["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget };
        ctx.Drop($"reasoning.effort {effort} → thinking budget_tokens {budget}");
        return budget;
    }

    /// <summary>The request's <c>output_config</c> object (effort and structured-output format share it).</summary>
    public static JsonObject OutputConfig(JsonObject output)
    {
        if (output["output_config"] is JsonObject config)
        {
            return config;
        }

        config = [];
        output["output_config"] = config;
        return config;
    }
}
