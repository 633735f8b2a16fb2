// Running totals: the overview figures, the token composition chart and the provider / model
// breakdown grids, all from GET /metrics/running-totals?format=json. Field names are read
// defensively (several spellings) so small API renames don't blank the page.

import {
  formatCompact, formatLatency, formatNumber, formatPercent, pickNumber, stripProvider,
} from './format.js';
import { providerBadge, syncRows } from './grid-util.js';
import { chartColours, isDark } from './theme.js';

/** Normalizes one totals node (overall, a provider or a model). */
export function readUsage(node) {
  const n = node ?? {};
  const requests = pickNumber(n, 'total_requests', 'requests', 'request_count') ?? 0;
  const errors = pickNumber(n, 'total_errors', 'errors', 'error_count') ?? 0;
  const totalDuration = pickNumber(n, 'total_duration_ms');
  const ttftCount = pickNumber(n, 'ttft_count');
  const totalTtft = pickNumber(n, 'total_ttft_ms');
  const streaming = n.streaming && typeof n.streaming === 'object' ? (pickNumber(n.streaming, 'total_requests', 'requests') ?? 0) : undefined;
  return {
    requests,
    errors,
    input: pickNumber(n, 'input_tokens', 'total_input_tokens') ?? 0,
    output: pickNumber(n, 'output_tokens', 'total_output_tokens') ?? 0,
    cacheRead: pickNumber(n, 'cache_read_tokens', 'total_cache_read_tokens') ?? 0,
    cacheCreation: pickNumber(n, 'cache_creation_tokens', 'total_cache_creation_tokens') ?? 0,
    toolUses: pickNumber(n, 'tool_uses', 'total_tool_uses') ?? 0,
    toolResults: pickNumber(n, 'tool_results', 'total_tool_results') ?? 0,
    toolCalls: pickNumber(n, 'tool_calls', 'total_tool_calls') ?? 0,
    avgDuration: pickNumber(n, 'average_duration_ms', 'avg_duration_ms')
      ?? (totalDuration != null && requests > 0 ? totalDuration / requests : null),
    avgTtft: pickNumber(n, 'average_ttft_ms', 'avg_ttft_ms')
      ?? (totalTtft != null && ttftCount > 0 ? totalTtft / ttftCount : null),
    p50Duration: pickNumber(n, 'p50_duration_ms'),
    p95Duration: pickNumber(n, 'p95_duration_ms'),
    p50Ttft: pickNumber(n, 'p50_ttft_ms'),
    p95Ttft: pickNumber(n, 'p95_ttft_ms'),
    streaming,
  };
}

/** `{ summary, providers: [{key, node}], models: [{key, node}] }` from the totals payload. */
export function readTotals(json) {
  const root = json ?? {};
  const summary = root.summary ?? root.totals ?? root.overall ?? root;
  return {
    summary: readUsage(summary),
    providers: entries(root.providers ?? root.by_provider),
    models: entries(root.models ?? root.by_model),
  };
}

function entries(value) {
  if (!value) return [];
  if (Array.isArray(value)) {
    return value.map((node) => ({ key: node.qualified_model ?? node.model ?? node.provider ?? node.name, node }));
  }
  return Object.entries(value).map(([key, node]) => ({ key, node }));
}

/** Requests per minute from successive totals: the request count's growth over the last minute. */
export class RateMeter {
  constructor(windowMs = 60_000) {
    this._windowMs = windowMs;
    this._samples = [];
  }

  add(requests, at = performance.now()) {
    this._samples.push({ at, requests });
    while (this._samples.length > 2 && at - this._samples[1].at >= this._windowMs) this._samples.shift();
  }

  /** Null until two samples at least 5 s apart exist. */
  perMinute() {
    if (this._samples.length < 2) return null;
    const first = this._samples[0];
    const last = this._samples[this._samples.length - 1];
    const elapsed = last.at - first.at;
    if (elapsed < 5000) return null;
    return Math.max(0, ((last.requests - first.requests) * 60_000) / elapsed);
  }
}

export class TotalsView {
  constructor({ agGrid, theme, Chart }) {
    this._rate = new RateMeter();
    this._providerRows = new Map();
    this._modelRows = new Map();
    this._chart = null;
    this._Chart = Chart;
    this._tokens = [0, 0, 0, 0];
    const common = {
      theme,
      rowData: [],
      defaultColDef: { sortable: true, resizable: true, suppressMovable: true },
      suppressCellFocus: true,
      enableCellTextSelection: true,
      localeText: { noRowsToShow: 'No finished requests yet' },
    };
    this._providers = agGrid.createGrid(document.getElementById('providers-grid'), {
      ...common,
      getRowId: (p) => p.data.key,
      columnDefs: [
        { field: 'key', headerName: 'Provider', cellRenderer: providerBadge, minWidth: 120, flex: 1.3 },
        ...figureColumns({ compact: true }),
      ],
    });
    this._models = agGrid.createGrid(document.getElementById('models-grid'), {
      ...common,
      getRowId: (p) => p.data.key,
      columnDefs: [
        { field: 'model', headerName: 'Model', minWidth: 200, flex: 2, tooltipField: 'key' },
        { field: 'provider', headerName: 'Provider', cellRenderer: providerBadge, minWidth: 120, flex: 1 },
        ...figureColumns(),
      ],
    });
  }

  render(json) {
    const totals = readTotals(json);
    const s = totals.summary;
    this._rate.add(s.requests);
    setText('fig-requests', formatCompact(s.requests));
    setText('fig-requests-sub', s.streaming != null && s.requests > 0
      ? `${formatPercent(s.streaming / s.requests)} streaming`
      : 'since start');
    setText('fig-errors', formatCompact(s.errors));
    setText('fig-error-rate', s.requests > 0 ? `${formatPercent(s.errors / s.requests)} error rate` : 'no requests yet');
    document.getElementById('fig-errors').classList.toggle('bad', s.errors > 0);
    setText('fig-tokens-in', formatCompact(s.input));
    setText('fig-tokens-cache', `cache ${formatCompact(s.cacheRead)} read · ${formatCompact(s.cacheCreation)} new`);
    setText('fig-tokens-out', formatCompact(s.output));
    setText('fig-tools', `${formatNumber(s.toolCalls)} tool calls`);
    setText('fig-duration', formatLatency(s.avgDuration));
    setText('fig-duration-pct', percentiles(s.p50Duration, s.p95Duration, 'finished requests'));
    setText('fig-ttft', formatLatency(s.avgTtft));
    setText('fig-ttft-pct', percentiles(s.p50Ttft, s.p95Ttft, 'streamed requests'));
    const rpm = this._rate.perMinute();
    setText('fig-rpm', rpm == null ? '—' : rpm < 10 ? rpm.toFixed(1) : formatNumber(Math.round(rpm)));

    syncRows(this._providers, this._providerRows, totals.providers.map(({ key, node }) => ({ key, ...readUsage(node) })), (r) => r.key);
    syncRows(this._models, this._modelRows, totals.models.map(({ key, node }) => {
      const provider = node?.provider ?? (String(key).includes(':') ? String(key).split(':')[0] : '');
      return { key, provider, model: node?.model ?? stripProvider(String(key), provider), ...readUsage(node) };
    }), (r) => r.key);

    this._tokens = [s.input, s.output, s.cacheRead, s.cacheCreation];
    this._renderChart();
  }

  /** Re-colours the chart when the system switches between light and dark. */
  applyColourScheme(dark) {
    if (!this._chart) return;
    const colours = chartColours(dark);
    const dataset = this._chart.data.datasets[0];
    dataset.backgroundColor = colours.series;
    dataset.borderColor = colours.border;
    this._chart.options.plugins.legend.labels.color = colours.text;
    this._chart.update('none');
  }

  _renderChart() {
    const hasTokens = this._tokens.some((v) => v > 0);
    document.getElementById('tokens-empty').hidden = hasTokens;
    if (!this._chart) {
      const colours = chartColours(isDark());
      this._chart = new this._Chart(document.getElementById('tokens-chart'), {
        type: 'doughnut',
        data: {
          labels: ['Input', 'Output', 'Cache read', 'Cache creation'],
          datasets: [{ data: this._tokens.slice(), backgroundColor: colours.series, borderColor: colours.border, borderWidth: 2, hoverOffset: 6 }],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          cutout: '62%',
          animation: { duration: 300 },
          plugins: {
            legend: {
              position: 'right',
              labels: {
                color: colours.text,
                usePointStyle: true,
                pointStyle: 'circle',
                padding: 14,
                generateLabels: (chart) => {
                  const base = this._Chart.overrides.doughnut.plugins.legend.labels.generateLabels(chart);
                  const values = chart.data.datasets[0].data;
                  return base.map((item, i) => ({ ...item, text: `${item.text}  ${formatCompact(values[i])}` }));
                },
              },
            },
            tooltip: { callbacks: { label: (ctx) => ` ${ctx.label}: ${formatNumber(ctx.parsed)} tokens` } },
          },
        },
      });
      return;
    }
    const data = this._chart.data.datasets[0].data;
    if (this._tokens.every((v, i) => v === data[i])) return;
    this._tokens.forEach((v, i) => { data[i] = v; });
    this._chart.update();
  }
}

/** The figures of a breakdown row; `compact` (the half-width providers panel) uses short headers. */
function figureColumns({ compact = false } = {}) {
  const num = (field, headerName, shortName, formatter = formatNumber, extra = {}) => ({
    field,
    headerName: compact ? shortName : headerName,
    headerTooltip: headerName,
    valueFormatter: (p) => formatter(p.value),
    type: 'rightAligned',
    cellClass: ['num', 'ag-right-aligned-cell'],
    minWidth: compact ? 78 : 90,
    flex: 1,
    ...extra,
  });
  return [
    num('requests', 'Requests', 'Req.', formatNumber, { sort: 'desc' }),
    num('errors', 'Errors', 'Err.'),
    {
      colId: 'error_rate', headerName: compact ? 'Err. %' : 'Error rate', headerTooltip: 'Error rate',
      valueGetter: (p) => (p.data.requests > 0 ? p.data.errors / p.data.requests : null),
      valueFormatter: (p) => formatPercent(p.value), type: 'rightAligned', cellClass: ['num', 'ag-right-aligned-cell'], minWidth: compact ? 78 : 90, flex: 1,
    },
    num('input', 'Input tok.', 'In', formatCompact),
    num('output', 'Output tok.', 'Out', formatCompact),
    num('cacheRead', 'Cache read', 'Cache', formatCompact),
    ...(compact ? [] : [num('cacheCreation', 'Cache new', 'New', formatCompact)]),
    num('avgDuration', 'Avg duration', 'Avg', formatLatency, { minWidth: compact ? 84 : 110 }),
    ...(compact ? [] : [num('p95Duration', 'p95 duration', 'p95', formatLatency)]),
    num('avgTtft', 'Avg TTFT', 'TTFT', formatLatency),
    ...(compact ? [] : [num('p95Ttft', 'p95 TTFT', 'p95 TTFT', formatLatency)]),
  ];
}

/** "p50 1.2 s · p95 4.8 s" beside an average; the fallback until there are samples. */
function percentiles(p50, p95, fallback) {
  return p50 == null ? fallback : `p50 ${formatLatency(p50)} · p95 ${formatLatency(p95)}`;
}

function setText(id, text) {
  const node = document.getElementById(id);
  if (node && node.textContent !== text) node.textContent = text;
}
