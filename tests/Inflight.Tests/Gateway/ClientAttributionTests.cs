using Inflight.Gateway;
using Microsoft.AspNetCore.Http;

namespace Inflight.Tests.Gateway;

/// <summary>The user-agent parser against header sets real clients send.</summary>
public sealed class ClientAttributionTests
{
    /// <summary>Header lines as recorded from each client ("Name: value").</summary>
    public static TheoryData<string, string, string?> Clients => new()
    {
        // Claude Code 2.1.332 (tests/Inflight.Protocols.Tests/Translation/Recordings): claude-cli wins over its SDK's stainless headers.
        { "User-Agent: claude-cli/2.1.332 (external, sdk-cli)\nX-Stainless-Lang: js\nX-Stainless-Package-Version: 0.128.0\nanthropic-version: 2023-06-01", "claude-cli", "2.1.332" },
        // Codex CLI: codex-rs default_client sets "{originator}/{version} ({os} {os version}; {arch}) {terminal}" and an originator header.
        { "User-Agent: codex_cli_rs/0.171.0 (Ubuntu 24.4.0; x86_64) xterm-256color\noriginator: codex_cli_rs", "codex_cli_rs", "0.171.0" },
        { "User-Agent: codex_exec/0.171.0 (Ubuntu 24.4.0; x86_64) unknown\noriginator: codex_exec", "codex_exec", "0.171.0" },
        { "User-Agent: OpenAI/Python 1.99.9\nX-Stainless-Lang: python\nX-Stainless-Package-Version: 1.99.9\nX-Stainless-Runtime: CPython", "openai-python", "1.99.9" },
        { "User-Agent: OpenAI/JS 5.12.2\nX-Stainless-Lang: js\nX-Stainless-Package-Version: 5.12.2", "openai-js", "5.12.2" },
        { "User-Agent: Anthropic/Python 0.64.0\nX-Stainless-Lang: python\nX-Stainless-Package-Version: 0.64.0\nanthropic-version: 2023-06-01", "anthropic-python", "0.64.0" },
        { "User-Agent: Anthropic/JS 0.60.0\nX-Stainless-Lang: js\nX-Stainless-Package-Version: 0.60.0", "anthropic-js", "0.60.0" },
        // The OpenAI .NET SDK is not Stainless-generated; it identifies itself only by user-agent.
        { "User-Agent: OpenAI/2.3.0 (.NET 10.0.0; Linux)", "openai-dotnet", "2.3.0" },
        { "User-Agent: curl/8.5.0", "curl", "8.5.0" },
        { "User-Agent: python-requests/2.32.3", "unknown", null },
        { "", "unknown", null },
    };

    [Theory]
    [MemberData(nameof(Clients))]
    public void ParseClient_RealHeaders_NamesClientAndVersion(string headerLines, string expectedName, string? expectedVersion)
    {
        var (name, version) = ClientAttribution.ParseClient(Headers(headerLines));

        Assert.Equal(expectedName, name);
        Assert.Equal(expectedVersion, version);
    }

    [Theory]
    [InlineData("X-Claude-Code-Session-Id: 00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000")]
    [InlineData("session_id: 019a9544-7ab1-73c1-837e-1fa681f4462b\nconversation_id: 019a9544-7ab1-73c1-837e-1fa681f4462b", "019a9544-7ab1-73c1-837e-1fa681f4462b")]
    [InlineData("User-Agent: curl/8.5.0", null)]
    public void ParseSession_ClientSessionHeaders_ReturnsSession(string headerLines, string? expected)
        => Assert.Equal(expected, ClientAttribution.ParseSession(Headers(headerLines)));

    [Fact]
    public void ParseClient_HugeVersion_IsCut()
    {
        var (_, version) = ClientAttribution.ParseClient(Headers("User-Agent: curl/" + new string('9', 5000)));

        Assert.Equal(ClientAttribution.MaxLength, version!.Length);
    }

    private static HeaderDictionary Headers(string lines)
    {
        var headers = new HeaderDictionary();
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Append(line[..colon], line[(colon + 1)..].Trim());
        }

        return headers;
    }
}
