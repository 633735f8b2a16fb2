using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Inflight.Bench;

namespace Inflight.Load;

/// <summary>
/// Request bodies for the Claude Code cases: the captured 77 KB Claude Code turn sent through translation
/// (Anthropic client, OpenAI-format provider) with a warm token-count cache (the same turn again) or a cold
/// one (every block new to the gateway), beside the same-format passthrough of the same conversation.
/// </summary>
internal sealed class ClaudeCodeCase
{
    /// <summary>Model names the bench gateway routes: unprefixed to the OpenAI-format provider, <c>ant:</c> to the Anthropic one.</summary>
    private const string TranslatedModel = "bench-fast";
    private const string AnthropicModel = "ant:bench-fast";

    /// <summary>Eight characters replaced by eight hex digits in every cold body; unique in the whole run.</summary>
    private const string Placeholder = "~NONCE~~";

    private static long s_nonce;

    private readonly byte[] _coldTemplate;
    private readonly int[] _placeholders;

    private ClaudeCodeCase(ClaudeCodeBodies bodies)
    {
        Adaptation = bodies.Adaptation;
        Translated = ClaudeCodeBodies.WithModel(bodies.FirstTurn, TranslatedModel);
        AnthropicPassthrough = ClaudeCodeBodies.WithModel(bodies.FirstTurn, AnthropicModel);
        OpenAIPassthrough = ClaudeCodeBodies.ToOpenAI(bodies.FirstTurn, TranslatedModel);
        _coldTemplate = MarkEveryBlock(Translated);
        _placeholders = Find(_coldTemplate, Encoding.ASCII.GetBytes(Placeholder));
    }

    /// <summary>The turn as Claude Code sent it, routed to the OpenAI-format provider (translated).</summary>
    public byte[] Translated { get; }

    /// <summary>The same bytes routed to the Anthropic-format provider (passthrough, same size).</summary>
    public byte[] AnthropicPassthrough { get; }

    /// <summary>The same conversation in OpenAI format, to the OpenAI-format provider (passthrough).</summary>
    public byte[] OpenAIPassthrough { get; }

    public string? Adaptation { get; }

    public static ClaudeCodeCase Load() => new(ClaudeCodeBodies.Load(Path.Combine(BenchRepository.Root(), "bench", "bodies")));

    /// <summary>
    /// The translated turn with every system block, tool description and message text starting with a
    /// number the gateway has never seen: a first turn on an empty token-count cache.
    /// </summary>
    public byte[] Cold()
    {
        var body = (byte[])_coldTemplate.Clone();
        var nonce = Encoding.ASCII.GetBytes(Interlocked.Increment(ref s_nonce).ToString("x8", CultureInfo.InvariantCulture));
        foreach (var at in _placeholders)
        {
            nonce.CopyTo(body, at);
        }

        return body;
    }

    private static byte[] MarkEveryBlock(byte[] body)
    {
        var request = JsonNode.Parse(body)!.AsObject();
        foreach (var block in request["system"]?.AsArray() ?? [])
        {
            Prefix(block, "text");
        }

        foreach (var tool in request["tools"]?.AsArray() ?? [])
        {
            Prefix(tool, "description");
        }

        foreach (var message in request["messages"]?.AsArray() ?? [])
        {
            if (message?["content"] is JsonArray blocks)
            {
                foreach (var block in blocks)
                {
                    Prefix(block, "text");
                }
            }
            else
            {
                Prefix(message, "content");
            }
        }

        return Encoding.UTF8.GetBytes(request.ToJsonString(ClaudeCodeBodies.AsSent));

        static void Prefix(JsonNode? node, string property)
        {
            if (node is JsonObject o && o[property]?.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                o[property] = Placeholder + " " + o[property]!.GetValue<string>();
            }
        }
    }

    private static int[] Find(byte[] haystack, byte[] needle)
    {
        var found = new List<int>();
        for (var at = haystack.AsSpan().IndexOf(needle); at >= 0;)
        {
            found.Add(at);
            var next = haystack.AsSpan(at + needle.Length).IndexOf(needle);
            at = next < 0 ? -1 : at + needle.Length + next;
        }

        return [.. found];
    }
}
