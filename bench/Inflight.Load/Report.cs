using System.Globalization;
using System.Text;

namespace Inflight.Load;

/// <summary>The Markdown report: medians over repetitions, each proxy compared with going direct in the same run.</summary>
internal static class Report
{
    public static string Markdown(LoadOptions options, List<Measurement> measurements, List<PushResult> pushes, List<HeldResult> helds, List<string> notes)
    {
        var md = new StringBuilder();
        var runs = options.Repeat == 1 ? "1 run" : $"medians of {options.Repeat} runs";
        md.AppendLine(Invariant($"### Gateway overhead ({runs}{(options.Smoke ? ", smoke counts" : "")}; {Environment.ProcessorCount} CPUs)"));
        md.AppendLine();
        md.AppendLine("| case | target | req/s | × direct | p50 ms | p90 ms | p99 ms | added p50 ms | TTFB p50 ms | added TTFB ms | chunk gap p50 ms | reads/resp | proxy CPU µs/req | proxy cores | proxy RSS MB | errors |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");

        foreach (var caseGroup in measurements.GroupBy(m => m.Case))
        {
            var byTarget = caseGroup.GroupBy(m => m.Target).ToDictionary(g => g.Key, Combine);
            byTarget.TryGetValue(Target.Direct, out var direct);
            foreach (var (target, m) in byTarget)
            {
                var isDirect = target == Target.Direct;
                md.Append(Invariant($"| {caseGroup.Key} | {target} | {m.Rps:F0} | {(isDirect || direct is null ? "" : Ratio(m.Rps / direct.Rps))} | {m.P50Ms:F3} | {m.P90Ms:F3} | {m.P99Ms:F3} | "));
                md.Append(Invariant($"{(isDirect || direct is null ? "" : (m.P50Ms - direct.P50Ms).ToString("+0.000;-0.000", CultureInfo.InvariantCulture))} | "));
                md.Append(Invariant($"{Num(m.TtfbP50Ms, "F3")} | {(isDirect || direct?.TtfbP50Ms is null || m.TtfbP50Ms is null ? "" : (m.TtfbP50Ms.Value - direct.TtfbP50Ms.Value).ToString("+0.000;-0.000", CultureInfo.InvariantCulture))} | "));
                md.AppendLine(Invariant($"{Num(m.GapP50Ms, "F3")} | {Num(m.ReadsPerResponse, "F1")} | {Num(m.ProxyCpuUsPerRequest, "F0")} | {Num(m.ProxyCores, "F2")} | {Num(m.ProxyRssMb, "F0")} | {m.Errors} |"));
            }
        }

        AppendClaudeCode(md, measurements);

        var inflightVsPortkey = measurements.GroupBy(m => m.Case)
            .Select(g => (Case: g.Key, Inflight: g.Where(m => m.Target == Target.Inflight).ToList(), Portkey: g.Where(m => m.Target == Target.Portkey).ToList()))
            .Where(x => x.Inflight.Count > 0 && x.Portkey.Count > 0)
            .ToList();
        if (inflightVsPortkey.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| case | Inflight req/s ÷ Portkey req/s | Portkey added p50 ÷ Inflight added p50 |");
            md.AppendLine("|---|--:|--:|");
            foreach (var (name, inflight, portkey) in inflightVsPortkey)
            {
                var direct = Combine(measurements.Where(m => m.Case == name && m.Target == Target.Direct));
                var i = Combine(inflight);
                var p = Combine(portkey);
                md.AppendLine(Invariant($"| {name} | {Ratio(i.Rps / p.Rps)} | {Ratio((p.P50Ms - direct.P50Ms) / Math.Max(0.001, i.P50Ms - direct.P50Ms))} |"));
            }
        }

        if (pushes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("### SSE push latency (request start / finish → the event at every subscriber that shows it)");
            md.AppendLine();
            md.AppendLine("| mode | subscribers | active requests | probes | start p50 ms | start p99 ms | finish p50 ms | finish p99 ms | first subscriber start / finish p50 ms | events seen (start/finish) | KB per event |");
            md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var mode in pushes.GroupBy(p => p.Mode))
            {
                var modeRuns = mode.ToList();
                md.AppendLine(Invariant($"| {mode.Key} | {modeRuns[0].Subscribers} | {modeRuns[0].Active} | {modeRuns[0].Probes} | {Stats.Median(modeRuns.Select(p => p.StartP50Ms)):F2} | {Stats.Median(modeRuns.Select(p => p.StartP99Ms)):F2} | {Stats.Median(modeRuns.Select(p => p.FinishP50Ms)):F2} | {Stats.Median(modeRuns.Select(p => p.FinishP99Ms)):F2} | {Stats.Median(modeRuns.Select(p => p.FirstStartP50Ms)):F2} / {Stats.Median(modeRuns.Select(p => p.FirstFinishP50Ms)):F2} | {modeRuns.Sum(p => p.StartSeen)}/{modeRuns.Sum(p => p.FinishSeen)} of {modeRuns.Sum(p => p.Subscribers * p.Probes)} | {Stats.Median(modeRuns.Select(p => p.BytesPerEvent)) / 1024:F1} |"));
            }
        }

        if (helds.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("### Held-open streams (a fresh gateway process per run)");
            md.AppendLine();
            md.AppendLine("| streams held | RSS warmed up, idle MB | RSS with streams held MB | KB per stream | `/metrics/active-requests` p50 ms | snapshot KB | seconds to open |");
            md.AppendLine("|--:|--:|--:|--:|--:|--:|--:|");
            md.AppendLine(Invariant($"| {helds.Min(h => h.Held)} | {Stats.Median(helds.Select(h => h.RssBeforeMb)):F0} | {Stats.Median(helds.Select(h => h.RssHeldMb)):F0} | {Stats.Median(helds.Select(h => h.KbPerStream)):F1} | {Num(Stats.Median(helds.Select(h => h.SnapshotP50Ms ?? double.NaN)), "F1")} | {Num(Stats.Median(helds.Select(h => h.SnapshotKb ?? double.NaN)), "F0")} | {Stats.Median(helds.Select(h => h.EstablishSeconds)):F1} |"));
        }

        if (notes.Count > 0)
        {
            md.AppendLine();
            foreach (var note in notes)
            {
                md.AppendLine("- " + note);
            }
        }

        return md.ToString();
    }

    /// <summary>
    /// The Claude Code turn: each path's gateway CPU per request as a multiple of the passthrough of the same
    /// Anthropic body (and of its OpenAI form), and its added p50 beside the passthrough's.
    /// </summary>
    private static void AppendClaudeCode(StringBuilder md, List<Measurement> measurements)
    {
        var concurrencies = measurements.Where(m => m.Case.StartsWith("claude-", StringComparison.Ordinal))
            .Select(m => m.Case[(m.Case.LastIndexOf("-c", StringComparison.Ordinal) + 2)..]).Distinct().ToList();
        if (concurrencies.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### Claude Code turn (77 KB, streaming, 20 chunks): translated vs passthrough");
        md.AppendLine();
        md.AppendLine("| concurrency | path | gateway CPU µs/req | ÷ passthrough, same body | ÷ passthrough, OpenAI form | added p50 ms | added p50 − passthrough's, ms |");
        md.AppendLine("|--:|---|--:|--:|--:|--:|--:|");
        foreach (var c in concurrencies)
        {
            var passthrough = Inflight($"claude-passthrough-anthropic-c{c}");
            var openAI = Inflight($"claude-passthrough-openai-c{c}");
            foreach (var path in new[] { "passthrough-anthropic", "passthrough-openai", "translated-warm", "translated-cold" })
            {
                var name = $"claude-{path}-c{c}";
                if (Inflight(name) is not { } m)
                {
                    continue;
                }

                var added = Added(name);
                md.AppendLine(Invariant($"| {c} | {path} | {Num(m.ProxyCpuUsPerRequest, "F0")} | {Ratio((m.ProxyCpuUsPerRequest ?? double.NaN) / (passthrough?.ProxyCpuUsPerRequest ?? double.NaN))} | {Ratio((m.ProxyCpuUsPerRequest ?? double.NaN) / (openAI?.ProxyCpuUsPerRequest ?? double.NaN))} | {Num(added, "+0.000;-0.000")} | {Num(added - Added($"claude-passthrough-anthropic-c{c}"), "+0.000;-0.000")} |"));
            }
        }

        Measurement? Inflight(string name)
        {
            var runs = measurements.Where(m => m.Case == name && m.Target == Target.Inflight).ToList();
            return runs.Count == 0 ? null : Combine(runs);
        }

        double Added(string name)
        {
            var direct = measurements.Where(m => m.Case == name && m.Target == Target.Direct).ToList();
            return Inflight(name) is { } m && direct.Count > 0 ? m.P50Ms - Combine(direct).P50Ms : double.NaN;
        }
    }

    /// <summary>Median of each figure over the repetitions of one case and target; errors add up.</summary>
    private static Measurement Combine(IEnumerable<Measurement> runs)
    {
        var list = runs.ToList();
        return list[0] with
        {
            Requests = list.Sum(m => m.Requests),
            Errors = list.Sum(m => m.Errors),
            Rps = Stats.Median(list.Select(m => m.Rps)),
            P50Ms = Stats.Median(list.Select(m => m.P50Ms)),
            P90Ms = Stats.Median(list.Select(m => m.P90Ms)),
            P99Ms = Stats.Median(list.Select(m => m.P99Ms)),
            TtfbP50Ms = Optional(list.Select(m => m.TtfbP50Ms)),
            GapP50Ms = Optional(list.Select(m => m.GapP50Ms)),
            ReadsPerResponse = Optional(list.Select(m => m.ReadsPerResponse)),
            ProxyCpuUsPerRequest = Optional(list.Select(m => m.ProxyCpuUsPerRequest)),
            ProxyCores = Optional(list.Select(m => m.ProxyCores)),
            ProxyRssMb = Optional(list.Select(m => m.ProxyRssMb)),
        };

        static double? Optional(IEnumerable<double?> values)
        {
            var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
            return present.Count == 0 ? null : Stats.Median(present);
        }
    }

    private static string Ratio(double value) => double.IsFinite(value) ? value.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "";

    private static string Num(double? value, string format)
        => value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
