namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Request bodies Claude Code 2.1.332 really sent (<c>claude -p … --model sonnet</c> against a recording
/// fake upstream; machine paths and ids scrubbed). <see cref="Messages"/> is the first request of a
/// session; <see cref="ToolResult"/> the second request of a Bash tool round trip (thinking, text and
/// tool_use in the assistant turn, then the tool_result). The headers it sent are in the sibling
/// <c>.headers.txt</c> file.
/// </summary>
internal static class ClaudeCodeRecordings
{
    public static byte[] Messages => Read("claude-code-2.1.332-messages.json");

    public static byte[] ToolResult => Read("claude-code-2.1.332-tool-result-messages.json");

    private static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Translation", "Recordings", name));
}
