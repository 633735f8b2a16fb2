using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Counts the input tokens of an Anthropic Messages request locally, for <c>count_tokens</c> on providers
/// that have no such endpoint and for the input estimate in a translated stream's <c>message_start</c>.
/// </summary>
/// <remarks>
/// <para>
/// Tokenizer: OpenAI's o200k_base (the vocabulary ships inside Microsoft.ML.Tokenizers.Data.O200kBase, so
/// it works offline). It is <b>not</b> Claude's tokenizer, which Anthropic does not publish. On English
/// prose and code Claude's tokenizer typically yields about 10–30% more tokens than o200k (and newer
/// Claude models more still), so treat these counts as an estimate that tends to be low; non-English text
/// can differ more. Right for context-use displays and budgeting with a margin, not for billing.
/// </para>
/// <para>
/// What is counted, following how the API builds the prompt: the system prompt; each message's text,
/// tool_use (name + input JSON) and tool_result content plus a small per-message overhead; each tool
/// definition's name, description and input_schema JSON, plus the tool-use system prompt Anthropic
/// documents (346 tokens with tool_choice auto/none, 313 with any/tool, "Tool use" pricing table);
/// images by Anthropic's documented (width × height) / 750 rule (see <see cref="ImageTokens"/>).
/// Thinking blocks from earlier turns are not counted: the API strips them from the context.
/// </para>
/// </remarks>
public sealed class LocalTokenCounter
{
    private const int PerMessageOverhead = 3;
    private const int PerRequestOverhead = 3;
    private const int PerToolOverhead = 5;
    private const int ToolSystemPromptAuto = 346;
    private const int ToolSystemPromptForced = 313;
    private const int DocumentEstimate = 1500;

    private static readonly Lazy<LocalTokenCounter> s_shared = new(() => new LocalTokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base")));

    private readonly Tokenizer _tokenizer;

    private LocalTokenCounter(Tokenizer tokenizer)
    {
        _tokenizer = tokenizer;
    }

    /// <summary>The process-wide counter; the vocabulary loads once, on first use (about 100 ms).</summary>
    public static LocalTokenCounter Shared => s_shared.Value;

    public int CountText(string? text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);

    /// <summary>
    /// Answers a <c>POST /v1/messages/count_tokens</c> body (same shape as a Messages request) with
    /// <c>{"input_tokens": N}</c>, as Anthropic does.
    /// </summary>
    public byte[] CountTokensResponse(ReadOnlySpan<byte> anthropicRequestJson)
        => Encoding.UTF8.GetBytes($$"""{"input_tokens":{{CountAnthropicRequest(anthropicRequestJson)}}}""");

    /// <summary>Input tokens of an Anthropic Messages (or count_tokens) request body.</summary>
    public int CountAnthropicRequest(ReadOnlySpan<byte> anthropicRequestJson)
        => CountAnthropicRequest(JsonOutput.ParseObject(anthropicRequestJson, "request body"));

    internal int CountAnthropicRequest(JsonObject request)
    {
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

    private int CountContent(JsonNode? content)
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
                _ => 0, // thinking / redacted_thinking: not part of the context on later turns.
            };
        }

        return total;
    }
}
