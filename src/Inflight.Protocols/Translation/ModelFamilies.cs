namespace Inflight.Protocols.Translation;

/// <summary>What the OpenAI Chat Completions reference says differs for reasoning models.</summary>
internal static class ModelFamilies
{
    /// <summary>
    /// o1/o3/o4 and gpt-5 models reject <c>max_tokens</c> ("Use max_completion_tokens instead"),
    /// accept <c>reasoning_effort</c>, and reject non-default <c>temperature</c>/<c>top_p</c>.
    /// Matches the model name's last path segment, so <c>openai/o3-mini</c> (OpenRouter) counts too.
    /// </summary>
    public static bool IsOpenAIReasoningModel(string model)
    {
        var name = model.AsSpan();
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        if (name.Length >= 2 && (name[0] == 'o' || name[0] == 'O') && char.IsAsciiDigit(name[1]))
        {
            return true;
        }

        return name.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase)
            && !name.StartsWith("gpt-5-chat", StringComparison.OrdinalIgnoreCase);
    }
}
