using System.Text;

namespace Inflight.Demo;

/// <summary>
/// Plausible assistant prose about software and LLM topics, and the token-sized pieces it streams in.
/// Pieces mimic BPE tokens closely enough for live token counts to look right: short words whole,
/// long words split, punctuation and line breaks on their own.
/// </summary>
internal static class DemoTextCorpus
{
    private static readonly string[] s_sentences =
    [
        "Streaming responses let the client render tokens as soon as the model produces them.",
        "The gateway forwards each server-sent event as it arrives, so nothing waits for the full answer.",
        "Time to first token is dominated by prompt processing, which grows with the size of the context.",
        "A bounded channel per subscriber keeps one slow dashboard from stalling everyone else.",
        "Prompt caching can cut the cost of long system prompts dramatically on repeated calls.",
        "When the upstream returns 429, honour the retry-after header instead of retrying immediately.",
        "Cancellation should flow from the client all the way to the provider, so no work runs for nobody.",
        "Tool calls arrive as JSON fragments that only form a valid document once the block is complete.",
        "Token counts during a stream are estimates until the provider reports its final usage.",
        "Structured logging with source-generated loggers avoids allocations on hot paths.",
        "A good retry policy uses exponential backoff with jitter to avoid synchronized stampedes.",
        "Model routing by prefix keeps the client configuration simple while the gateway stays flexible.",
        "Benchmarks should compare against a direct call to the upstream in the same run.",
        "Backpressure matters: a fast producer must not buffer unbounded data for a slow consumer.",
        "The context window limits how much conversation history the model can consider at once.",
        "Temperature trades determinism for variety; for code generation, lower values usually work better.",
        "Each request is registered on arrival and finalized exactly once, whatever path it takes.",
        "Translating between API formats means mapping roles, content blocks, tool calls and stop reasons.",
        "A heartbeat comment keeps idle proxies from closing a long-lived event stream.",
        "Validating settings at start-up turns a confusing runtime failure into one clear message.",
        "Embedding models map text into vectors so that similar meanings land close together.",
        "Retrieval-augmented generation grounds answers in documents fetched at query time.",
        "Unit tests with a fake clock run in milliseconds and never flake on a busy machine.",
        "The HTTP client should reuse connections; creating one per request exhausts sockets under load.",
        "A circuit breaker stops hammering a provider that is already failing.",
        "Latency percentiles tell a truer story than averages, especially at the tail.",
        "Rate limits are usually counted in both requests and tokens per minute.",
        "System prompts set the assistant's behaviour before the first user message.",
        "Pooling buffers avoids garbage collection pauses when many streams are active.",
        "Observability starts with knowing which requests are in flight right now and for how long.",
        "Small, well-named functions make a streaming pipeline far easier to reason about.",
        "Idempotent handlers make retries safe when a response is lost on the way back.",
        "Graceful shutdown drains in-flight requests before the process exits.",
        "Sampling more than one completion costs proportionally more output tokens.",
        "Stop sequences end generation early when the model emits a chosen marker.",
        "A dashboard that updates by transactions instead of full redraws stays smooth with many rows.",
    ];

    private static readonly string[] s_toolPreambles =
    [
        "Let me look that up first.",
        "I'll check the relevant files before answering.",
        "To answer precisely, I need to run a quick command.",
        "Let me gather a bit more context.",
        "I'll use a tool to get the current details.",
    ];

    private static readonly string[] s_bullets =
    [
        "Measure before optimizing.",
        "Keep the hot path free of allocations.",
        "Propagate cancellation tokens everywhere.",
        "Log with structure, not string concatenation.",
        "Test the failure paths, not only the happy one.",
        "Prefer timeouts you can explain over defaults you inherited.",
    ];

    /// <summary>Prose of roughly <paramref name="targetTokens"/> tokens: paragraphs, sometimes a bullet list.</summary>
    public static string Compose(Random random, int targetTokens)
    {
        var text = new StringBuilder();
        var tokens = 0;
        var sentencesInParagraph = 0;
        while (tokens < targetTokens)
        {
            if (sentencesInParagraph >= 2 && random.NextDouble() < 0.3)
            {
                text.Append("\n\n");
                sentencesInParagraph = 0;
                if (random.NextDouble() < 0.2)
                {
                    var bullets = random.Next(2, 5);
                    for (var i = 0; i < bullets; i++)
                    {
                        var bullet = s_bullets[random.Next(s_bullets.Length)];
                        text.Append("- ").Append(bullet).Append('\n');
                        tokens += CountPieces(bullet) + 2;
                    }

                    text.Append('\n');
                    continue;
                }
            }
            else if (sentencesInParagraph > 0)
            {
                text.Append(' ');
            }

            var sentence = s_sentences[random.Next(s_sentences.Length)];
            text.Append(sentence);
            tokens += CountPieces(sentence);
            sentencesInParagraph++;
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A short sentence a model writes before calling a tool.</summary>
    public static string ToolPreamble(Random random) => s_toolPreambles[random.Next(s_toolPreambles.Length)];

    /// <summary>Splits text into token-like pieces that concatenate back to the exact text.</summary>
    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            if (text[i] == ' ' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))
            {
                i++;
            }

            if (char.IsLetterOrDigit(text[i]))
            {
                var wordStart = i;
                while (i < text.Length && char.IsLetterOrDigit(text[i]) && i - wordStart < 6)
                {
                    i++;
                }
            }
            else
            {
                i++;
            }

            pieces.Add(text[start..i]);
        }

        return pieces;
    }

    private static int CountPieces(string text) => Split(text).Count;
}
