using Inflight.Tracking;

namespace Inflight.Gateway;

/// <summary>
/// Who sent a request, from its headers: the client (<c>claude-cli</c>, <c>codex_cli_rs</c>, <c>codex_exec</c>,
/// the OpenAI and Anthropic SDKs by language such as <c>openai-python</c>, <c>curl</c>, else <c>unknown</c>), its
/// version and its session. Every kept string is cut to <see cref="MaxLength"/> characters.
/// </summary>
internal static class ClientAttribution
{
    public const int MaxLength = 256;

    // Product tokens of user-agents that name the client directly (Codex's originators included).
    private static readonly string[] s_namedClients = ["claude-cli", "codex_cli_rs", "codex_exec", "codex_vscode", "curl"];

    // SDK languages from x-stainless-lang; anything else is "other" so names stay a short, fixed set.
    private static readonly string[] s_sdkLanguages = ["python", "js", "go", "java", "kotlin", "ruby", "csharp", "dotnet", "php", "typescript"];

    public static (string Name, string? Version) ParseClient(IHeaderDictionary headers)
    {
        var userAgent = headers.UserAgent.ToString();
        var (product, version) = FirstProduct(userAgent);
        foreach (var named in s_namedClients)
        {
            if (string.Equals(product, named, StringComparison.OrdinalIgnoreCase))
            {
                return (named, Bound(version));
            }
        }

        // Codex sets an originator header beside its user-agent.
        var originator = headers["originator"].ToString();
        if (originator.StartsWith("codex_", StringComparison.Ordinal) && originator.Length <= 32)
        {
            return (originator, Bound(headers["version"].ToString()));
        }

        // Stainless-generated SDKs: user-agent "OpenAI/Python 1.52.0" or "Anthropic/JS 0.39.0", plus x-stainless-* headers.
        var vendor = userAgent.StartsWith("OpenAI/", StringComparison.OrdinalIgnoreCase) ? "openai"
            : userAgent.StartsWith("Anthropic/", StringComparison.OrdinalIgnoreCase) ? "anthropic"
            : null;
        var language = headers["x-stainless-lang"].ToString();
        if (vendor is null && language.Length > 0)
        {
            // A Stainless SDK without its usual user-agent: the anthropic-version header tells which vendor.
            vendor = headers.ContainsKey("anthropic-version") ? "anthropic" : "openai";
        }

        if (vendor is not null)
        {
            // "OpenAI/Python 1.52.0" names the language then the version; "OpenAI/2.3.0 (.NET 10; Linux)" (the .NET SDK) only the version.
            var afterSlash = userAgent[(userAgent.IndexOf('/', StringComparison.Ordinal) + 1)..].Split(' ');
            var uaVersion = afterSlash.Length > 0 && afterSlash[0].Length > 0 && char.IsAsciiDigit(afterSlash[0][0]) ? afterSlash[0] : afterSlash.ElementAtOrDefault(1);
            if (language.Length == 0)
            {
                language = uaVersion == afterSlash[0] ? (userAgent.Contains(".NET", StringComparison.Ordinal) ? "dotnet" : "") : afterSlash[0];
            }

            var lang = Array.Find(s_sdkLanguages, l => string.Equals(l, language, StringComparison.OrdinalIgnoreCase)) ?? "other";
            var sdkVersion = headers["x-stainless-package-version"].ToString();
            return (vendor + "-" + lang, Bound(sdkVersion.Length > 0 ? sdkVersion : uaVersion));
        }

        return (ClientNames.Unknown, null);
    }

    /// <summary>Claude Code's <c>x-claude-code-session-id</c>, else Codex's <c>session_id</c> (or <c>conversation_id</c>).</summary>
    public static string? ParseSession(IHeaderDictionary headers)
    {
        foreach (var name in (ReadOnlySpan<string>)["x-claude-code-session-id", "session_id", "conversation_id"])
        {
            var value = headers[name].ToString();
            if (value.Length > 0)
            {
                return Bound(value);
            }
        }

        return null;
    }

    public static string? Bound(string? value)
        => string.IsNullOrEmpty(value) ? null : value.Length <= MaxLength ? value : value[..MaxLength];

    private static (string Product, string? Version) FirstProduct(string userAgent)
    {
        var token = userAgent.AsSpan().TrimStart();
        var end = token.IndexOf(' ');
        if (end >= 0)
        {
            token = token[..end];
        }

        var slash = token.IndexOf('/');
        return slash < 0 ? (token.ToString(), null) : (token[..slash].ToString(), token[(slash + 1)..].ToString());
    }
}
