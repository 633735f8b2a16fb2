using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Clients;

/// <summary>
/// The real Codex CLI (0.171.0, pinned in tools/clients) run with <c>codex exec</c> against Inflight, with a
/// fake provider on 127.0.0.1 that drives one tool round trip: it asks for <c>exec_command</c>, Codex runs
/// the command, and the next request carries its output back.
/// </summary>
public sealed class CodexCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> ProviderFormats => ["responses", "openai", "anthropic"];

    [Theory]
    [MemberData(nameof(ProviderFormats))]
    public async Task CodexExec_ToolRoundTrip_RunsTheCommandAndSendsItsOutputBack(string providerFormat)
    {
        var provider = new ToolRoundTripProvider(providerFormat, holdFirstStream: true);
        await using var upstream = await FakeUpstream.StartAsync(provider.HandleAsync);
        // The gateway requires a key, as docs/codex.md suggests for anything but a private loopback: Codex sends
        // INFLIGHT_API_KEY as its bearer token.
        await using var app = GatewayApp.StartWithUpstream(upstream, providerFormat, new() { ["PROXY_API_KEY"] = CodexCli.ApiKey });
        app.Client.DefaultRequestHeaders.Authorization = new("Bearer", CodexCli.ApiKey);

        var run = CodexCli.ExecAsync(app.BaseAddress, "gpt-5.1-codex", "Run the marker command and report what it printed.");

        // The first answer is held open: the request must be live in the snapshot meanwhile.
        await provider.Holding.WaitAsync(TimeSpan.FromSeconds(90), Ct);
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 1);
        using (var snapshot = JsonDocument.Parse(await app.Client.GetStringAsync("/metrics/active-requests", Ct)))
        {
            var live = Assert.Single(snapshot.RootElement.GetProperty("active_requests").EnumerateArray().ToList());
            Assert.Equal("responses", live.GetProperty("client_format").GetString());
            Assert.Equal(providerFormat, live.GetProperty("upstream_format").GetString());
            Assert.Equal("fake", live.GetProperty("provider").GetString());
            Assert.Equal("gpt-5.1-codex", live.GetProperty("model").GetString());
            Assert.True(live.GetProperty("is_streaming").GetBoolean());

            // Codex offers the hosted web_search tool; a translated provider cannot run it, so it is dropped and noted.
            var notes = live.GetProperty("translation_notes").EnumerateArray().Select(n => n.GetString()!).ToList();
            if (providerFormat == "responses")
            {
                Assert.Empty(notes);
            }
            else
            {
                Assert.Contains(notes, note => note.Contains("web_search", StringComparison.Ordinal));
            }
        }

        provider.Release();
        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(ToolRoundTripProvider.FinalAnswer, result.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, upstream.Requests.Count);
        var first = JsonNode.Parse(upstream.Requests[0].Body)!;
        var second = JsonNode.Parse(upstream.Requests[1].Body)!;
        Assert.Null(ToolRoundTripProvider.ToolResultOf(providerFormat, first));
        var output = ToolRoundTripProvider.ToolResultOf(providerFormat, second);
        Assert.NotNull(output);
        // Codex's exec_command result: a header, then the command's own output on a line of its own.
        Assert.Contains("exited with code 0", output, StringComparison.Ordinal);
        Assert.Contains("\n" + ToolRoundTripProvider.Marker, output, StringComparison.Ordinal);

        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0 && app.Tracker.GetRecentRequests().Count == 2);
        var logged = app.Tracker.GetRecentRequests();
        Assert.All(logged, entry => Assert.Equal("success", entry.Status));
        Assert.All(logged, entry => Assert.Equal("responses", entry.ClientFormat));
        Assert.Equal(1, logged.Sum(entry => entry.ToolCalls));
        Assert.Contains(logged, entry => entry.ToolResults == 1 && entry.ToolUses == 1);
    }
}
