using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The token count as <see cref="LocalTokenCounter"/> computed it before it had a cache: the whole request
/// parsed to a <see cref="JsonNode"/> tree and every string tokenized. The cached counter must agree with it.
/// </summary>
internal static class ReferenceTokenCounter
{
    private const int PerMessageOverhead = 3;
    private const int PerRequestOverhead = 3;
    private const int PerToolOverhead = 5;
    private const int ToolSystemPromptAuto = 346;
    private const int ToolSystemPromptForced = 313;
    private const int DocumentEstimate = 1500;

    private static readonly LocalTokenCounter s_text = LocalTokenCounter.Create(0);

    public static int Count(byte[] json)
    {
        var request = JsonNode.Parse(json)!.AsObject();
        var total = PerRequestOverhead;
        var system = request["system"];
        if (system.AsString() is { } s)
        {
            total += CountText(s);
        }
        else if (system is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                total += CountText(block.Prop("text").AsString());
            }
        }

        if (request["messages"] is JsonArray messages)
        {
            foreach (var message in messages)
            {
                total += PerMessageOverhead + CountContent(message.Prop("content"));
            }
        }

        if (request["tools"] is JsonArray { Count: > 0 } tools)
        {
            var forced = request["tool_choice"].Prop("type").AsString() is "any" or "tool";
            total += forced ? ToolSystemPromptForced : ToolSystemPromptAuto;
            foreach (var tool in tools)
            {
                total += PerToolOverhead
                    + CountText(tool.Prop("name").AsString())
                    + CountText(tool.Prop("description").AsString())
                    + CountText(tool.Prop("input_schema") is { } schema ? JsonOutput.ToCompactString(schema) : null);
            }
        }

        return Math.Max(1, total);
    }

    private static int CountText(string? text) => s_text.CountText(text);

    private static int CountContent(JsonNode? content)
    {
        if (content.AsString() is { } text)
        {
            return CountText(text);
        }

        if (content is not JsonArray blocks)
        {
            return 0;
        }

        var total = 0;
        foreach (var block in blocks)
        {
            total += block.Prop("type").AsString() switch
            {
                "text" => CountText(block.Prop("text").AsString()),
                "image" => block.Prop("source").Prop("type").AsString() == "base64" ? ImageTokens.Estimate(block.Prop("source").Prop("data").AsString()) : ImageTokens.Unknown,
                "tool_use" => CountText(block.Prop("name").AsString()) + CountText(JsonOutput.ToCompactString(block.Prop("input"))),
                "tool_result" => CountContent(block.Prop("content")),
                "document" => block.Prop("source").Prop("type").AsString() == "text" ? CountText(block.Prop("source").Prop("data").AsString()) : DocumentEstimate,
                _ => 0,
            };
        }

        return total;
    }
}
