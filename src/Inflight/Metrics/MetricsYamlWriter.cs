using System.Globalization;
using System.Text;
using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// Writes the running totals as YAML with the same keys, nesting and order as their JSON.
/// </summary>
/// <remarks>
/// Hand-written rather than YamlDotNet: the schema is small and fixed, this needs no reflection
/// (trim/AOT-safe), keeps key names and order identical to the JSON by construction, and always
/// double-quotes user-derived strings (provider and model names such as <c>openai:gpt-4o</c>, which
/// a plain YAML scalar could misread). The output is checked with a real YAML parser in the tests.
/// </remarks>
internal static class MetricsYamlWriter
{
    private const string Indent = "  ";

    public static string Write(RunningTotalsSnapshot totals)
    {
        var yaml = new StringBuilder(2048);
        yaml.Append("# Inflight running totals (since: the first request counted)\n");
        yaml.Append("summary:\n");
        WriteNode(yaml, 1, totals.Summary);
        WriteNodes(yaml, "providers", totals.Providers);
        WriteNodes(yaml, "models", totals.Models);
        WriteScalar(yaml, 0, "include_active", totals.IncludeActive);
        WriteScalar(yaml, 0, "active_request_count", totals.ActiveRequestCount);
        WriteScalar(yaml, 0, "timestamp", totals.Timestamp);
        WriteScalar(yaml, 0, "since", totals.Since);
        if (totals.Until is { } until)
        {
            WriteScalar(yaml, 0, "until", until);
        }
        else
        {
            yaml.Append("until: null\n");
        }
        WriteScalar(yaml, 0, "stalled_requests", totals.StalledRequests);
        WriteScalar(yaml, 0, "stalled_recovered", totals.StalledRecovered);
        WriteBreakdown(yaml, "by_client", totals.ByClient);
        WriteBreakdown(yaml, "by_key", totals.ByKey);
        yaml.Append("auth_failures:\n");
        WriteScalar(yaml, 1, "total", totals.AuthFailures.Total);
        if (totals.AuthFailures.ByRoute.Count == 0)
        {
            yaml.Append(Indent).Append("by_route: {}\n");
        }
        else
        {
            yaml.Append(Indent).Append("by_route:\n");
            foreach (var (route, count) in totals.AuthFailures.ByRoute)
            {
                AppendIndent(yaml, 2);
                AppendQuoted(yaml, route);
                yaml.Append(": ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return yaml.ToString();
    }

    /// <summary>
    /// The disabled payload; the leading <c># Message</c> comment is what the spec's dashboard looks for.
    /// </summary>
    public static string Write(MetricsDisabledPayload payload)
    {
        var yaml = new StringBuilder(512);
        yaml.Append("# Message: ").Append(payload.Message).Append('\n');
        yaml.Append("# Suggestion: ").Append(payload.Suggestion).Append('\n');
        WriteScalar(yaml, 0, "disabled", payload.Disabled);
        yaml.Append("active_requests: []\n");
        WriteString(yaml, 0, "message", payload.Message);
        WriteString(yaml, 0, "suggestion", payload.Suggestion);
        return yaml.ToString();
    }

    private static void WriteBreakdown(StringBuilder yaml, string key, IReadOnlyDictionary<string, BreakdownTotals> breakdown)
    {
        if (breakdown.Count == 0)
        {
            yaml.Append(key).Append(": {}\n");
            return;
        }

        yaml.Append(key).Append(":\n");
        foreach (var (name, totals) in breakdown)
        {
            yaml.Append(Indent);
            AppendQuoted(yaml, name);
            yaml.Append(":\n");
            WriteScalar(yaml, 2, "total_requests", totals.TotalRequests);
            WriteScalar(yaml, 2, "total_errors", totals.TotalErrors);
            WriteScalar(yaml, 2, "input_tokens", totals.InputTokens);
            WriteScalar(yaml, 2, "output_tokens", totals.OutputTokens);
        }
    }

    private static void WriteNodes(StringBuilder yaml, string key, IReadOnlyDictionary<string, TotalsNode> nodes)
    {
        if (nodes.Count == 0)
        {
            yaml.Append(key).Append(": {}\n");
            return;
        }

        yaml.Append(key).Append(":\n");
        foreach (var (name, node) in nodes)
        {
            yaml.Append(Indent);
            AppendQuoted(yaml, name);
            yaml.Append(":\n");
            WriteNode(yaml, 2, node);
        }
    }

    private static void WriteNode(StringBuilder yaml, int depth, TotalsNode node)
    {
        WriteUsage(yaml, depth, node);
        AppendIndent(yaml, depth).Append("streaming:\n");
        WriteUsage(yaml, depth + 1, node.Streaming);
        AppendIndent(yaml, depth).Append("non_streaming:\n");
        WriteUsage(yaml, depth + 1, node.NonStreaming);
    }

    private static void WriteUsage(StringBuilder yaml, int depth, UsageTotals usage)
    {
        WriteScalar(yaml, depth, "total_requests", usage.TotalRequests);
        WriteScalar(yaml, depth, "total_errors", usage.TotalErrors);
        WriteScalar(yaml, depth, "input_tokens", usage.InputTokens);
        WriteScalar(yaml, depth, "output_tokens", usage.OutputTokens);
        WriteScalar(yaml, depth, "cache_read_tokens", usage.CacheReadTokens);
        WriteScalar(yaml, depth, "cache_creation_tokens", usage.CacheCreationTokens);
        WriteScalar(yaml, depth, "tool_uses", usage.ToolUses);
        WriteScalar(yaml, depth, "tool_results", usage.ToolResults);
        WriteScalar(yaml, depth, "tool_calls", usage.ToolCalls);
        WriteScalar(yaml, depth, "total_duration_ms", usage.TotalDurationMs);
        WriteScalar(yaml, depth, "ttft_count", usage.TtftCount);
        WriteScalar(yaml, depth, "total_ttft_ms", usage.TotalTtftMs);
        WriteScalar(yaml, depth, "average_duration_ms", usage.AverageDurationMs);
        WriteNullable(yaml, depth, "average_ttft_ms", usage.AverageTtftMs);
        WriteNullable(yaml, depth, "p50_duration_ms", usage.P50DurationMs);
        WriteNullable(yaml, depth, "p95_duration_ms", usage.P95DurationMs);
        WriteNullable(yaml, depth, "p50_ttft_ms", usage.P50TtftMs);
        WriteNullable(yaml, depth, "p95_ttft_ms", usage.P95TtftMs);
    }

    private static void WriteNullable(StringBuilder yaml, int depth, string key, double? value)
    {
        AppendIndent(yaml, depth).Append(key).Append(": ");
        if (value is { } number)
        {
            yaml.Append(number.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        else
        {
            yaml.Append("null\n");
        }
    }

    private static void WriteScalar(StringBuilder yaml, int depth, string key, long value)
        => AppendIndent(yaml, depth).Append(key).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void WriteScalar(StringBuilder yaml, int depth, string key, double value)
        => AppendIndent(yaml, depth).Append(key).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void WriteScalar(StringBuilder yaml, int depth, string key, bool value)
        => AppendIndent(yaml, depth).Append(key).Append(": ").Append(value ? "true" : "false").Append('\n');

    private static void WriteString(StringBuilder yaml, int depth, string key, string value)
    {
        AppendIndent(yaml, depth).Append(key).Append(": ");
        AppendQuoted(yaml, value);
        yaml.Append('\n');
    }

    private static StringBuilder AppendIndent(StringBuilder yaml, int depth)
    {
        for (var i = 0; i < depth; i++)
        {
            yaml.Append(Indent);
        }

        return yaml;
    }

    /// <summary>A YAML double-quoted scalar (YAML 1.2 §7.3.1): escapes quote, backslash and anything non-printable.</summary>
    private static void AppendQuoted(StringBuilder yaml, string value)
    {
        yaml.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    yaml.Append("\\\"");
                    break;
                case '\\':
                    yaml.Append("\\\\");
                    break;
                case '\n':
                    yaml.Append("\\n");
                    break;
                case '\t':
                    yaml.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF')
                    {
                        yaml.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        yaml.Append(c);
                    }

                    break;
            }
        }

        yaml.Append('"');
    }
}
