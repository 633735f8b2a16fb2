using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;

namespace Inflight.Bench;

/// <summary>
/// The real Claude Code 2.1.332 request bodies in bench/bodies (bench/capture/record-claude-code.mjs): a first
/// turn and the same conversation one turn longer. Shared by the micro-benchmarks and the load driver.
/// </summary>
internal sealed record ClaudeCodeBodies(byte[] FirstTurn, byte[] NextTurn, string? Adaptation)
{
    public const string FirstTurnFile = "claude-code-2.1.332-messages.json";
    public const string NextTurnFile = "claude-code-2.1.332-messages-next-turn.json";

    /// <summary>Writes JSON back as the CLI sent it (non-ASCII and &lt;&gt;&amp; unescaped), so edited bodies keep their size.</summary>
    public static readonly JsonSerializerOptions AsSent = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Loads both bodies. When the gateway's translator refuses one as captured (Claude Code 2.1.332 sends
    /// <c>role: "system"</c> messages, which the translator on main answers with a 400), those messages are
    /// sent as <c>user</c> messages instead, so the translated path can be measured at all;
    /// <see cref="Adaptation"/> then says so, and reports carry it.
    /// </summary>
    public static ClaudeCodeBodies Load(string directory)
    {
        var first = File.ReadAllBytes(Path.Combine(directory, FirstTurnFile));
        var next = File.ReadAllBytes(Path.Combine(directory, NextTurnFile));
        if (Translates(first) && Translates(next))
        {
            return new(first, next, null);
        }

        return new(SystemMessagesAsUser(first), SystemMessagesAsUser(next),
            "The translator refuses the captured Claude Code body (`messages[].role = \"system\"`), so the translated cases send those messages with role `user` (same size and content).");
    }

    /// <summary>The body with its top-level <c>model</c> replaced.</summary>
    public static byte[] WithModel(byte[] body, string model)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        node["model"] = model;
        return Encoding.UTF8.GetBytes(node.ToJsonString(AsSent));
    }

    /// <summary>What an OpenAI client would send for the same conversation (the gateway's own translation of it).</summary>
    public static byte[] ToOpenAI(byte[] anthropicBody, string model)
        => AnthropicToOpenAIRequest.Translate(anthropicBody, new TranslationContext { Model = model }).ToArray();

    private static bool Translates(byte[] body)
    {
        try
        {
            AnthropicToOpenAIRequest.Translate(body, new TranslationContext { Model = "probe" });
            return true;
        }
        catch (TranslationException)
        {
            return false;
        }
    }

    private static byte[] SystemMessagesAsUser(byte[] body)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        foreach (var message in node["messages"]!.AsArray())
        {
            if (message?["role"]?.GetValue<string>() == "system")
            {
                message["role"] = "user";
            }
        }

        return Encoding.UTF8.GetBytes(node.ToJsonString(AsSent));
    }
}
