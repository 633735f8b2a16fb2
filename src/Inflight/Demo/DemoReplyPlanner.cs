using Inflight.Protocols;

namespace Inflight.Demo;

/// <summary>Decides what a simulated model answers to a request: length, text, tool call, usage, speed, breaks.</summary>
internal static class DemoReplyPlanner
{
    private const string IdAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static DemoReply Plan(DemoRequest request, DemoOptions options, Random random, TimeProvider timeProvider)
    {
        var callTool = request.Tools.Count > 0 && !request.ToolsForbidden
            && (request.ToolRequired || random.NextDouble() < options.ToolRate * (request.EndsWithToolResult ? 0.5 : 1));

        var text = callTool
            ? random.NextDouble() < 0.6 ? DemoTextCorpus.ToolPreamble(random) : ""
            : DemoTextCorpus.Compose(random, DrawLength(random));
        var pieces = DemoTextCorpus.Split(text);

        DemoToolCall? toolCall = null;
        var stop = callTool ? DemoStopReason.ToolUse : DemoStopReason.EndTurn;
        if (callTool)
        {
            var tool = request.Tools[random.Next(request.Tools.Count)];
            var arguments = DemoToolArguments.Create(tool.Schema, random);
            var id = request.Format == ApiFormat.Anthropic ? "toolu_01" + RandomId(random, 22) : "call_" + RandomId(random, 24);
            toolCall = new DemoToolCall(id, tool.Name, arguments, DemoToolArguments.Fragment(arguments, random));
        }

        var outputTokens = pieces.Count + (toolCall is null ? 0 : 12 + (toolCall.Arguments.Length * 2 / 7));
        if (request.MaxTokens is { } max && outputTokens > max)
        {
            // Out of budget: the text is cut where the budget ends, and a pending tool call never starts.
            pieces = pieces.GetRange(0, Math.Min(pieces.Count, max));
            toolCall = null;
            stop = DemoStopReason.MaxTokens;
            outputTokens = Math.Max(1, pieces.Count);
        }

        // Prompts under 1024 tokens are never cached.
        var promptTokens = EstimatePromptTokens(request.BodyBytes);
        int cacheRead = 0, cacheCreation = 0;
        if (promptTokens >= 1024)
        {
            var roll = random.NextDouble();
            if (roll < 0.45)
            {
                cacheRead = (int)(promptTokens * (0.6 + (random.NextDouble() * 0.35)));
            }
            else if (roll < 0.6 && request.Format == ApiFormat.Anthropic)
            {
                cacheCreation = (int)(promptTokens * (0.5 + (random.NextDouble() * 0.4)));
            }
        }

        var (speedFactor, ttftFactor) = ModelProfile(request.Model);
        var ttftMin = options.MinTimeToFirstToken.TotalMilliseconds;
        var ttftMax = options.MaxTimeToFirstToken.TotalMilliseconds;
        var tokensPerSecond = options.MinTokensPerSecond + (random.NextDouble() * (options.MaxTokensPerSecond - options.MinTokensPerSecond));

        var contentPieces = pieces.Count + (toolCall?.Fragments.Count ?? 0);
        int? breakAfter = request.Stream && contentPieces > 1 && random.NextDouble() < options.StreamBreakRate
            ? random.Next(1, contentPieces)
            : null;

        return new DemoReply
        {
            Format = request.Format,
            Model = request.Model,
            Id = request.Format == ApiFormat.Anthropic ? "msg_01" + RandomId(random, 22) : "chatcmpl-" + RandomId(random, 29),
            Created = timeProvider.GetUtcNow().ToUnixTimeSeconds(),
            TextPieces = pieces,
            ToolCall = toolCall,
            StopReason = stop,
            PromptTokens = promptTokens,
            CacheReadTokens = cacheRead,
            CacheCreationTokens = cacheCreation,
            OutputTokens = outputTokens,
            BreakAfterPieces = breakAfter,
            BreakWithErrorEvent = request.Format == ApiFormat.Anthropic && random.Next(2) == 0,
            TimeToFirstToken = TimeSpan.FromMilliseconds((ttftMin + (random.NextDouble() * (ttftMax - ttftMin))) * ttftFactor),
            TokensPerSecond = tokensPerSecond * speedFactor,
            PacingSeed = random.Next(),
        };
    }

    /// <summary>Roughly 3.6 bytes per token for JSON-wrapped English prose.</summary>
    public static int EstimatePromptTokens(int bodyBytes) => Math.Max(8, (int)(bodyBytes / 3.6));

    /// <summary>A random id in the style the providers use (base-62 characters).</summary>
    public static string RandomId(Random random, int length)
        => string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = IdAlphabet[r.Next(IdAlphabet.Length)];
            }
        });

    /// <summary>Most answers are short, some medium, a few long: the mix real chat traffic shows.</summary>
    private static int DrawLength(Random random)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.55 => random.Next(15, 120),
            < 0.9 => random.Next(120, 400),
            _ => random.Next(400, 1000),
        };
    }

    /// <summary>Model names hint at speed: "*fast*" models answer sooner and quicker, "*large*" ones slower.</summary>
    private static (double Speed, double Ttft) ModelProfile(string model)
    {
        if (model.Contains("fast", StringComparison.OrdinalIgnoreCase) || model.Contains("mini", StringComparison.OrdinalIgnoreCase))
        {
            return (1.6, 0.5);
        }

        if (model.Contains("large", StringComparison.OrdinalIgnoreCase) || model.Contains("opus", StringComparison.OrdinalIgnoreCase))
        {
            return (0.5, 1.6);
        }

        return (1.0, 1.0);
    }
}
