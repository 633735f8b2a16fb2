namespace Inflight.Configuration;

/// <summary>One setting as documented: its name, its default and what it does (Markdown, as in the README).</summary>
internal sealed record SettingDoc(string Name, string Default, string Meaning);

/// <summary>
/// Every setting Inflight reads, in the order the README's settings table lists them. <c>inflight --help</c>
/// prints it and a test compares it with the README, so the two cannot drift: a new setting goes here first.
/// </summary>
internal static class SettingsTable
{
    public static IReadOnlyList<SettingDoc> All { get; } =
    [
        new("`HOST`", "`127.0.0.1`", "address to listen on: an IP address (`0.0.0.0` or `::` for every interface) or `localhost`; beyond loopback it needs `PROXY_API_KEY`"),
        new("`PORT`", "`8082`", "port to listen on"),
        new("`PROXY_API_KEY`", "unset", "when set, every `/v1/*` and `/metrics/*` call needs it as `x-api-key` or `Authorization: Bearer`; the dashboard asks for it once and uses a session cookie"),
        new("`INFLIGHT_ALLOW_UNAUTHENTICATED`", "`false`", "`true` lets a non-loopback `HOST` start without `PROXY_API_KEY` (with a warning at every start)"),
        new("`PROXY_API_KEYS`", "unset", "more client keys, each with a label: `alice:key1,ci:key2`; any of them (or `PROXY_API_KEY`) is accepted, and requests show the label as `key_label`. Labels are letters, digits, `-`, `_`, `.` (`default` is reserved); labels and keys must be unique (checked at start-up)"),
        new("`AUTH_FAILURE_LIMIT`", "`10`", "wrong or missing keys one client address may send per `AUTH_FAILURE_WINDOW` (on `/v1/*`, `/metrics/*` and the dashboard sign-in); beyond that the address is locked out: 429 with `Retry-After` instead of 401, also for a right key not yet accepted from that address (see Operator controls). `0` turns it off. Behind a proxy, set `TRUSTED_PROXIES` so each client counts on its own"),
        new("`AUTH_FAILURE_WINDOW`", "`60`", "seconds in which an address's used-up failures come back (evenly: one every window ÷ limit)"),
        new("`{NAME}_API_KEY`", "—", "declares provider `name` with this key; without a known or given base URL it is ignored with a notice"),
        new("`{NAME}_BASE_URL`", "known for `openai`, `anthropic`, `openrouter`, `groq`, `deepseek`, `mistral`, `together`, `ollama`", "the provider's API base URL, including `/v1`; on its own, without a key, it declares a keyless provider on this machine or the local network (Ollama, LM Studio, vLLM)"),
        new("`{NAME}_API_FORMAT`", "`anthropic` for `anthropic`, else `openai`", "the provider's wire format: `openai` (Chat Completions), `anthropic`, or `responses` (the OpenAI Responses API; Responses requests pass through, Messages and Chat requests to it are refused with a 400)"),
        new("`{NAME}_MAX_OUTPUT_TOKENS`", "known model families' limits", "output-token limit of that provider's models: translated requests clamp `max_tokens` to it (Claude Code asks for up to 128,000; gpt-4o-mini accepts 16,384)"),
        new("`{NAME}_ALIAS_{ALIAS}`", "—", "a requested model containing `ALIAS` as whole words (case-insensitive, `_` matches `-`) becomes this model on that provider; exact match beats contained, longer beats shorter"),
        new("`VDM_DEFAULT_PROVIDER`", "`demo` in demo mode, else `openai`, `anthropic`, `openrouter`, or the first by name", "provider for models without a prefix"),
        new("`REQUEST_TIMEOUT`", "`90`", "seconds to wait for the upstream's headers, and between stream chunks"),
        new("`STREAM_PING_INTERVAL`", "`10`", "seconds of upstream silence after which a translated Anthropic stream gets a `ping` event (keeps Claude Code's connection alive while a reasoning model thinks), and a translated Responses stream a `: ping` comment"),
        new("`CLIENT_WRITE_TIMEOUT`", "`60`", "seconds a write to a client may make no progress (the client stopped reading) before both the client's and the upstream's connections are closed; recorded as `client_timeout`"),
        new("`SHUTDOWN_TIMEOUT`", "`30`", "seconds in-flight requests may run on after shutdown begins; then each ends with an error in its format (a stream gets an error event) and is recorded as `shutdown`"),
        new("`MAX_REQUEST_BYTES`", "`33554432` (32 MiB)", "largest accepted request body"),
        new("`ALLOWED_HOSTS`", "unset", "host names (comma-separated, no port) Inflight answers to besides the loopback names and a specific `HOST` address; `*` answers any. Other `Host` headers get 400 (DNS rebinding); browser requests from other sites (`Origin`, `Sec-Fetch-Site: cross-site`) get 403, and `/v1/*` bodies that are not `application/json` get 415"),
        new("`TRUSTED_PROXIES`", "unset", "IP addresses or CIDR ranges (comma-separated) of reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed; from anyone else they are ignored"),
        new("`COOKIE_SECURE`", "`false`", "`true` always marks the dashboard's session cookie `Secure`; otherwise it is `Secure` when the request is HTTPS (directly, or per a trusted proxy)"),
        new("`LOG_REQUEST_METRICS`", "`true`", "`false` turns the metrics endpoints into a \"disabled\" answer"),
        new("`VDM_ACTIVE_REQUESTS_SSE_ENABLED`", "`true`", "`false` makes the SSE stream answer 503"),
        new("`VDM_ACTIVE_REQUESTS_SSE_INTERVAL`", "`2.0`", "seconds: the longest gap between `update` events while requests are active"),
        new("`VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT`", "`30`", "seconds between `: heartbeat` comments (at least the interval)"),
        new("`VDM_STALL_SECONDS`", "`30`", "seconds without an upstream byte after which an active request's phase is `stalled`; `0` turns stall detection off"),
        new("`INFLIGHT_CONFIG`", "unset", "a JSON settings file with these same names; without it, `inflight.json` next to the binary is read if present"),
        new("`INFLIGHT_DATABASE_URL`", "`sqlite:inflight.db` (in the working directory)", "where finished requests are kept: `sqlite:path`, `postgres://user:pass@host:port/db` or `none` (see [History](#history))"),
        new("`INFLIGHT_HISTORY_DAYS`", "`30`", "days of history kept; older requests are pruned in the background"),
        new("`OTEL_EXPORTER_OTLP_ENDPOINT`", "unset", "when set (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `_METRICS_ENDPOINT`), a `chat {model}` span per request and the GenAI metrics are exported over OTLP; the other standard `OTEL_*` variables apply (see [Prometheus and OpenTelemetry](#prometheus-and-opentelemetry))"),
        new("`INFLIGHT_DEMO` / `--demo`", "`false`", "adds the built-in `demo` provider and starts the traffic generator"),
        new("`DEMO_ERROR_RATE`", "`0.03`", "share of demo requests answered with a 5xx (500/529 or 500/503 by format)"),
        new("`DEMO_RATE_LIMIT_RATE`", "`0.03`", "share answered with 429 and `retry-after`"),
        new("`DEMO_TOOL_RATE`", "`0.25`", "share of requests with tools that end in a tool call"),
        new("`DEMO_STREAM_BREAK_RATE`", "`0.02`", "share of streams that break mid-way"),
        new("`DEMO_MIN_TTFT_MS` / `DEMO_MAX_TTFT_MS`", "`200` / `900`", "simulated time to first token"),
        new("`DEMO_MIN_TOKENS_PER_SECOND` / `DEMO_MAX_TOKENS_PER_SECOND`", "`30` / `120`", "simulated output speed"),
        new("`DEMO_TRAFFIC`", "`true`", "the traffic generator (demo mode only)"),
        new("`DEMO_TRAFFIC_RPS`", "`1.5`", "requests the generator starts per second"),
        new("`DEMO_TRAFFIC_MAX_CONCURRENCY`", "`8`", "most generator requests in flight at once"),
    ];

    /// <summary>The README's table, header included, one row per setting.</summary>
    public static string ToMarkdown()
    {
        var lines = new List<string> { "| Setting | Default | Meaning |", "|---|---|---|" };
        lines.AddRange(All.Select(s => $"| {s.Name} | {s.Default} | {s.Meaning} |"));
        return string.Join('\n', lines);
    }

    /// <summary>Markdown code spans as plain text, for the terminal.</summary>
    public static string Plain(string markdown) => markdown.Replace("`", "", StringComparison.Ordinal);
}
