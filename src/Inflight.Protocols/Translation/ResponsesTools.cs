using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// A client tool the upstream sees as one function, read from the parsed body (<see cref="ResponsesTools.Read(JsonElement?, TranslationContext)"/>):
/// <see cref="Tool"/> is the tool object as the client declared it, copied into the translated body when it is written;
/// <see cref="Custom"/> for a custom (freeform) tool, sent as a function taking one string.
/// </summary>
internal readonly record struct DeclaredFunctionTool(string UpstreamName, JsonElement Tool, bool Custom);

/// <summary>
/// A Responses <c>tool_choice</c>: <see cref="Mode"/> is auto, none or required; <see cref="Name"/> is the one
/// upstream function it forces; <see cref="Allowed"/> the upstream functions <c>allowed_tools</c> keeps.
/// </summary>
internal sealed record ResponsesToolChoice(string Mode, string? Name, List<string>? Allowed);

/// <summary>
/// The <c>tools</c> of a Responses request, read once and shared by both request translators: which
/// tools become upstream functions, which are refused or dropped, and how client names map to upstream
/// names (<see cref="TranslationContext.ToolNamesForClient"/>), so output translation can map calls back.
/// </summary>
/// <remarks>
/// Policy for hosted tools ("refuse when dropping changes what the model does"):
/// <list type="bullet">
/// <item><c>web_search</c> (all versions) and <c>tool_search</c> are dropped and recorded. Both are offers
/// the model may decline; the Codex CLI declares them on every request, so refusing would make it unusable
/// on every translated provider. Forcing one with <c>tool_choice</c> is refused.</item>
/// <item><c>file_search</c>, <c>code_interpreter</c>, <c>image_generation</c>, <c>computer_use_preview</c>,
/// <c>mcp</c>, <c>local_shell</c>, <c>shell</c>, <c>apply_patch</c> and any unknown type are refused:
/// the client declared them because it expects their results (its files searched, code run, an image made,
/// its MCP server called), and no translated provider can produce them.</item>
/// </list>
/// </remarks>
internal sealed class ResponsesTools
{
    /// <summary>The one string argument a <c>custom</c> (freeform) tool takes when it is sent as a function (Codex's own JSON form of apply_patch).</summary>
    public const string CustomInputProperty = "input";

    /// <summary>OpenAI and Anthropic both limit a function name to 64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    private const int MaxNameLength = 64;

    private const string NamespaceSeparator = "__";

    private static readonly HashSet<string> s_droppedHostedTools = new(StringComparer.Ordinal)
    {
        "web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11", "tool_search",
    };

    private readonly Dictionary<(string? Namespace, string Name), string> _upstreamNames = [];
    private readonly HashSet<string> _customNames = new(StringComparer.Ordinal);

    /// <summary>The functions offered upstream when the tools were read from the parsed body.</summary>
    public List<DeclaredFunctionTool> Declared { get; } = [];

    /// <summary>Hosted tool types that were declared and dropped; <c>tool_choice</c> must not force one.</summary>
    public HashSet<string> DroppedHostedTypes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The request's <c>tools</c>, read from the parsed body: names checked and flattened, hosted tools dropped and noted,
    /// each function kept as the client's tool object (<see cref="Declared"/>) rather than a detached schema.
    /// </summary>
    public static ResponsesTools Read(JsonElement? tools, TranslationContext ctx)
    {
        var result = new ResponsesTools();
        if (tools is null)
        {
            return result;
        }

        if (tools.Value.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(400, "tools: must be an array of tools.");
        }

        var flatNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools.Value.EnumerateArray())
        {
            var type = tool.ValueKind == JsonValueKind.Object ? tool.Prop("type") : null;
            if ((type.Is("function") || type.Is("custom")) && tool.Prop("name").AsString() is { } name)
            {
                flatNames.Add(name);
            }
        }

        var i = 0;
        foreach (var tool in tools.Value.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException(400, $"tools[{i}]: must be an object.");
            }

            result.Add(tool, $"tools[{i}]", null, flatNames, ctx);
            i++;
        }

        return result;
    }

    /// <summary>The upstream name for a call in the history (<c>function_call</c> / <c>custom_tool_call</c>), declared or not.</summary>
    public string UpstreamName(string name, string? ns)
    {
        if (_upstreamNames.TryGetValue((ns, name), out var upstream))
        {
            return upstream;
        }

        return ns is null ? name : Flatten(ns, name, null);
    }

    /// <summary>
    /// <c>tool_choice</c> read against the declared tools: a mode (auto, none, required), one named tool, or
    /// <c>allowed_tools</c> (a mode and the subset of tools). Forcing a hosted tool that was dropped is
    /// refused: the client demanded a tool the provider cannot run.
    /// </summary>
    public ResponsesToolChoice Choice(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var mode = value.GetString();
            return mode is "auto" or "none" or "required"
                ? new ResponsesToolChoice(mode, null, null)
                : throw new TranslationException(400, "tool_choice: must be 'auto', 'none', 'required' or an object.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "tool_choice: must be a string or an object.");
        }

        var type = value.Prop("type").AsString();
        switch (type)
        {
            case "function" or "custom":
                return new ResponsesToolChoice("required", DeclaredName(value, "tool_choice"), null);
            case "allowed_tools":
                var allowedMode = value.Prop("mode").AsString() ?? "auto";
                if (allowedMode is not "auto" and not "required" || value.Prop("tools") is not { ValueKind: JsonValueKind.Array } allowed)
                {
                    throw new TranslationException(400, "tool_choice: allowed_tools needs mode 'auto' or 'required' and an array of tools.");
                }

                var names = new List<string>();
                var i = 0;
                foreach (var tool in allowed.EnumerateArray())
                {
                    var path = $"tool_choice.tools[{i}]";
                    if (tool.ValueKind != JsonValueKind.Object)
                    {
                        throw new TranslationException(400, $"{path}: must be an object.");
                    }

                    var toolType = tool.Prop("type").AsString();
                    if (toolType is "function" or "custom")
                    {
                        names.Add(DeclaredName(tool, path));
                    }
                    else
                    {
                        throw new TranslationException(400, $"{path}.type: '{toolType}' cannot be allowed on this model's provider (only function and custom tools are translated).");
                    }

                    i++;
                }

                return new ResponsesToolChoice(allowedMode, null, names);
            default:
                throw new TranslationException(400, $"tool_choice: forcing the hosted tool '{type}' is not supported by this model's provider.");
        }
    }

    private string DeclaredName(JsonElement choice, string path)
    {
        var name = choice.Prop("name").AsString() ?? throw new TranslationException(400, $"{path}.name: required (a string).");
        return _upstreamNames.TryGetValue((choice.Prop("namespace").AsString(), name), out var upstream)
            ? upstream
            : throw new TranslationException(400, $"{path}.name: '{name}' is not one of the declared tools.");
    }

    /// <summary>Whether a history call to this client tool name is a custom tool call (its input travels as <c>{"input": …}</c>).</summary>
    public bool IsCustom(string upstreamName) => _customNames.Contains(upstreamName);

    private void Add(JsonElement tool, string path, string? ns, HashSet<string> flatNames, TranslationContext ctx)
    {
        var type = tool.Prop("type").AsString();
        switch (type)
        {
            case "function":
            {
                var name = RequiredName(tool, path);
                var parameters = tool.Prop("parameters");
                if (parameters is not null && parameters.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new TranslationException(400, $"{path}.parameters: must be a JSON schema object.");
                }

                if (tool.Prop("defer_loading").AsBool() == true)
                {
                    ctx.Drop("tool defer_loading (the tool is sent up front)");
                }

                Declared.Add(new DeclaredFunctionTool(Register(name, ns, flatNames, ClientToolKind.Function, ctx), tool, Custom: false));
                break;
            }

            case "custom":
            {
                var name = RequiredName(tool, path);
                if (IsGrammar(tool.Prop("format")))
                {
                    ctx.Note("custom tool grammar written into the tool description (not enforced)");
                }

                var upstream = Register(name, ns, flatNames, ClientToolKind.Custom, ctx);
                _customNames.Add(upstream);
                Declared.Add(new DeclaredFunctionTool(upstream, tool, Custom: true));
                break;
            }

            case "namespace" when ns is null:
                var nsName = RequiredName(tool, path);
                if (tool.Prop("tools") is not { ValueKind: JsonValueKind.Array } members)
                {
                    throw new TranslationException(400, $"{path}.tools: a namespace tool needs an array of tools.");
                }

                var i = 0;
                foreach (var member in members.EnumerateArray())
                {
                    if (member.ValueKind != JsonValueKind.Object)
                    {
                        throw new TranslationException(400, $"{path}.tools[{i}]: must be an object.");
                    }

                    Add(member, $"{path}.tools[{i}]", nsName, flatNames, ctx);
                    i++;
                }

                if (tool.Prop("description") is not null)
                {
                    ctx.Drop("namespace tool description");
                }

                break;
            case not null when s_droppedHostedTools.Contains(type):
                DroppedHostedTypes.Add(type);
                ctx.Drop($"hosted tool {type}");
                break;
            default:
                throw new TranslationException(400, $"{path}.type: tool type '{type}' is not supported by this model's provider (only function, custom and namespace tools can be translated).");
        }
    }

    /// <summary>
    /// Writes a declared tool as a Chat Completions / Anthropic function would carry it: the description (a custom tool's
    /// grammar appended) as <paramref name="descriptionName"/> when there is one, then the
    /// parameter schema as <paramref name="schemaName"/>, copied from the body.
    /// </summary>
    public static void WriteDescriptionAndSchema(DeclaredFunctionTool tool, string descriptionName, string schemaName, Utf8JsonWriter w)
    {
        var description = tool.Tool.Prop("description");
        if (!tool.Custom)
        {
            if (description is { ValueKind: JsonValueKind.String } text)
            {
                w.WritePropertyName(descriptionName);
                text.WriteTo(w);
            }

            w.WritePropertyName(schemaName);
            WrittenAsIs.WriteSchema(tool.Tool.Prop("parameters"), w);

            return;
        }

        using (var text = new Utf8Text())
        {
            if (description is { ValueKind: JsonValueKind.String } own)
            {
                text.Append(own);
            }

            if (tool.Tool.Prop("format") is { } format && IsGrammar(format))
            {
                text.Append("\n\nThe input must follow this ");
                if (format.Prop("syntax") is { ValueKind: JsonValueKind.String } syntax)
                {
                    text.Append(syntax);
                }

                text.Append(" grammar:\n");
                if (format.Prop("definition") is { ValueKind: JsonValueKind.String } definition)
                {
                    text.Append(definition);
                }
            }

            if (!text.IsEmpty)
            {
                w.WritePropertyName(descriptionName);
                text.WriteTo(w);
            }
        }

        w.WriteStartObject(schemaName);
        w.WriteString("type", "object");
        w.WriteStartObject("properties");
        w.WriteStartObject(CustomInputProperty);
        w.WriteString("type", "string");
        w.WriteString("description", "The tool's freeform input.");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("required");
        w.WriteStringValue(CustomInputProperty);
        w.WriteEndArray();
        w.WriteBoolean("additionalProperties", false);
        w.WriteEndObject();
    }

    private static bool IsGrammar(JsonElement? format) => format is { ValueKind: JsonValueKind.Object } f && f.Prop("type").Is("grammar");

    private static string RequiredName(JsonElement tool, string path)
        => tool.Prop("name").AsString() is { Length: > 0 } name ? name : throw new TranslationException(400, $"{path}.name: required (a non-empty string).");

    private string Register(string name, string? ns, HashSet<string> flatNames, ClientToolKind kind, TranslationContext ctx)
    {
        var upstream = ns is null ? name : Flatten(ns, name, flatNames);
        if (!_upstreamNames.TryAdd((ns, name), upstream))
        {
            throw new TranslationException(400, $"tools: '{(ns is null ? name : ns + "." + name)}' is declared twice.");
        }

        if (ns is not null || kind != ClientToolKind.Function)
        {
            ctx.ToolNamesForClient ??= new Dictionary<string, ClientToolName>(StringComparer.Ordinal);
            ctx.ToolNamesForClient[upstream] = new ClientToolName(name, ns) { Kind = kind };
        }

        return upstream;
    }

    /// <summary>
    /// <c>namespace__name</c> when that is a valid upstream name no flat tool uses; otherwise a valid prefix of
    /// it plus a hash of both parts. Deterministic, so a call in the history maps to the same name as the
    /// tool declared in this request.
    /// </summary>
    internal static string Flatten(string ns, string name, HashSet<string>? flatNames)
    {
        var joined = ns + NamespaceSeparator + name;
        if (joined.Length <= MaxNameLength && IsValidName(joined) && flatNames?.Contains(joined) != true)
        {
            return joined;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ns + "\0" + name)))[..8];
        var prefix = new StringBuilder(MaxNameLength);
        foreach (var c in joined)
        {
            if (prefix.Length == MaxNameLength - hash.Length - 1)
            {
                break;
            }

            prefix.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return prefix.Append('_').Append(hash).ToString();
    }

    private static bool IsValidName(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                return false;
            }
        }

        return true;
    }

}
