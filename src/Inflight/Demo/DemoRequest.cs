using System.Text.Json;
using Inflight.Protocols;

namespace Inflight.Demo;

/// <summary>A tool the client declared: its name and the JSON schema of its input (or parameters).</summary>
internal sealed record DemoTool(string Name, JsonElement? Schema);

/// <summary>
/// What the demo provider needs to know about a generation request, read once from the body in
/// either format. Lenient on purpose: the demo answers anything that looks like a request.
/// </summary>
internal sealed class DemoRequest
{
    public required ApiFormat Format { get; init; }

    public required string Model { get; init; }

    public bool Stream { get; init; }

    /// <summary>OpenAI <c>stream_options.include_usage</c>: a final usage chunk with empty choices.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary><c>max_tokens</c> (or OpenAI's <c>max_completion_tokens</c>); null when absent.</summary>
    public int? MaxTokens { get; init; }

    public IReadOnlyList<DemoTool> Tools { get; init; } = [];

    /// <summary>The client demands a tool call (Anthropic <c>any</c>/<c>tool</c>, OpenAI <c>required</c>/a named function).</summary>
    public bool ToolRequired { get; init; }

    /// <summary>The client forbids tool calls (<c>none</c>).</summary>
    public bool ToolsForbidden { get; init; }

    /// <summary>The conversation ends in a tool result: a model usually answers in text then.</summary>
    public bool EndsWithToolResult { get; init; }

    public int BodyBytes { get; init; }

    /// <summary>Parses a request body; returns null with a reason when it is not a usable request.</summary>
    public static DemoRequest? TryParse(ApiFormat format, ReadOnlySpan<byte> body, out string? problem)
    {
        problem = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            problem = $"The request body is not valid JSON: {ex.Message}";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "The request body must be a JSON object.";
                return null;
            }

            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(model.GetString()))
            {
                problem = "model: Field required";
                return null;
            }

            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                problem = "messages: Field required";
                return null;
            }

            var (required, forbidden) = ReadToolChoice(root);
            return new DemoRequest
            {
                Format = format,
                Model = model.GetString()!,
                Stream = root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True,
                IncludeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
                    && options.TryGetProperty("include_usage", out var includeUsage) && includeUsage.ValueKind == JsonValueKind.True,
                MaxTokens = ReadInt(root, "max_tokens") ?? ReadInt(root, "max_completion_tokens"),
                Tools = ReadTools(format, root),
                ToolRequired = required,
                ToolsForbidden = forbidden,
                EndsWithToolResult = LastMessageIsToolResult(format, messages),
                BodyBytes = body.Length,
            };
        }
    }

    private static int? ReadInt(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n > 0 ? n : null;

    private static List<DemoTool> ReadTools(ApiFormat format, JsonElement root)
    {
        var tools = new List<DemoTool>();
        if (!root.TryGetProperty("tools", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return tools;
        }

        foreach (var tool in array.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            // OpenAI nests the definition under "function"; Anthropic keeps it flat with "input_schema".
            var definition = format == ApiFormat.OpenAI && tool.TryGetProperty("function", out var function) ? function : tool;
            if (!definition.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            JsonElement? schema = definition.TryGetProperty(format == ApiFormat.OpenAI ? "parameters" : "input_schema", out var s) && s.ValueKind == JsonValueKind.Object
                ? s.Clone()
                : null;
            tools.Add(new DemoTool(name.GetString()!, schema));
        }

        return tools;
    }

    private static (bool Required, bool Forbidden) ReadToolChoice(JsonElement root)
    {
        if (!root.TryGetProperty("tool_choice", out var choice))
        {
            return (false, false);
        }

        var kind = choice.ValueKind switch
        {
            JsonValueKind.String => choice.GetString(),
            JsonValueKind.Object when choice.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String => type.GetString(),
            _ => null,
        };
        return kind switch
        {
            "any" or "tool" or "required" or "function" => (true, false),
            "none" => (false, true),
            _ => (false, false),
        };
    }

    private static bool LastMessageIsToolResult(ApiFormat format, JsonElement messages)
    {
        var count = messages.GetArrayLength();
        if (count == 0)
        {
            return false;
        }

        var last = messages[count - 1];
        if (last.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (format == ApiFormat.OpenAI)
        {
            return last.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.GetString() == "tool";
        }

        if (!last.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "tool_result")
            {
                return true;
            }
        }

        return false;
    }
}
