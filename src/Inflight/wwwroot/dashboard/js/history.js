// History view: per-model time series from GET /metrics/history as Chart.js line charts, with a window
// switch (1h / 24h / 7d). Read from the history store, so it survives restarts; hidden when the store is off
// (the endpoint then answers disabled).

import { getJson } from './api.js';
import { chartColours, isDark } from './theme.js';
import { formatCompact, formatLatency, formatNumber } from './format.js';

/** Series drawn per chart: the busiest models; the endpoint already caps what it returns. */
const MaxModels = 6;

const palette = {
  light: ['#4f46e5', '#12a150', '#d97706', '#db2777', '#0891b2', '#7c3aed'],
  dark: ['#818cf8', '#34d399', '#fbbf24', '#f472b6', '#22d3ee', '#a78bfa'],
};

/** Each chart: an id, how to build its datasets from the payload, and how to format its values. */
const charts = [
  {
    id: 'history-requests',
    datasets: (models) => models.flatMap((m, i) => [
      line(m.key, m.requests, i),
      line(`${m.key} errors`, m.errors, i, { borderDash: [4, 3], hidden: !m.errors.some((v) => v > 0) }),
    ]),
    format: formatNumber,
  },
  {
    id: 'history-tokens',
    datasets: (models) => models.flatMap((m, i) => [
      line(`${m.key} in`, m.input_tokens, i),
      line(`${m.key} out`, m.output_tokens, i, { borderDash: [4, 3] }),
    ]),
    format: formatCompact,
  },
  {
    id: 'history-duration',
    datasets: (models) => models.flatMap((m, i) => [
      line(`${m.key} p50`, m.p50_duration_ms, i),
      line(`${m.key} p95`, m.p95_duration_ms, i, { borderDash: [4, 3] }),
    ]),
    format: formatLatency,
  },
  {
    id: 'history-ttft',
    datasets: (models) => models.map((m, i) => line(`${m.key} p50`, m.p50_ttft_ms, i)),
    format: formatLatency,
  },
];

function line(label, data, index, extra = {}) {
  return { label, data: data.slice(), colourIndex: index % palette.light.length, spanGaps: false, pointRadius: 0, borderWidth: 1.8, tension: 0.2, ...extra };
}

export class HistoryView {
  constructor({ Chart, root }) {
    this._Chart = Chart;
    this._root = root;
    this._window = '1h';
    this._charts = new Map();
    this._loading = false;
    this._again = false;
    root.querySelectorAll('[data-window]').forEach((button) => {
      button.addEventListener('click', () => this.setWindow(button.dataset.window));
    });
  }

  get window() {
    return this._window;
  }

  setWindow(window) {
    if (window === this._window && this._charts.size > 0) return;
    this._window = window;
    this._root.querySelectorAll('[data-window]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.window === window)));
    this.refresh();
  }

  /** Fetches the series for the current window; a 404 means the server keeps no history. */
  async refresh() {
    if (this._loading) {
      this._again = true;
      return;
    }
    this._loading = true;
    const window = this._window;
    try {
      const json = await getJson(`../metrics/history?window=${encodeURIComponent(window)}`);
      if (json?.disabled) {
        this._root.hidden = true;
        return;
      }
      if (window !== this._window) return;
      this._root.hidden = false;
      this._render(json);
    } finally {
      this._loading = false;
      if (this._again) {
        this._again = false;
        this.refresh().catch(() => {});
      }
    }
  }

  applyColourScheme(dark) {
    for (const chart of this._charts.values()) {
      recolour(chart, dark);
      chart.update('none');
    }
  }

  _render(json) {
    const models = Array.isArray(json.models) ? json.models.slice(0, MaxModels) : [];
    const labels = (json.timestamps ?? []).map((t) => label(t, json.window));
    const empty = models.every((m) => m.requests.every((v) => v === 0));
    this._root.querySelector('#history-empty').hidden = !empty;
    this._root.dataset.points = String(labels.length);
    this._root.dataset.models = models.map((m) => m.key).join(' ');
    for (const spec of charts) {
      const datasets = spec.datasets(models);
      const existing = this._charts.get(spec.id);
      if (existing) {
        existing.data.labels = labels;
        existing.data.datasets = datasets;
        recolour(existing, isDark());
        existing.update('none');
        continue;
      }
      const colours = chartColours(isDark());
      const chart = new this._Chart(document.getElementById(spec.id), {
        type: 'line',
        data: { labels, datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: { ticks: { color: colours.muted, maxTicksLimit: 8, maxRotation: 0 }, grid: { display: false } },
            y: { beginAtZero: true, ticks: { color: colours.muted, callback: (v) => spec.format(v) } },
          },
          plugins: {
            legend: { position: 'bottom', labels: { color: colours.text, boxWidth: 14, boxHeight: 2 } },
            tooltip: { callbacks: { label: (ctx) => ` ${ctx.dataset.label}: ${spec.format(ctx.parsed.y)}` } },
          },
        },
      });
      recolour(chart, isDark());
      chart.update('none');
      this._charts.set(spec.id, chart);
    }
  }
}

function recolour(chart, dark) {
  const colours = dark ? palette.dark : palette.light;
  for (const dataset of chart.data.datasets) {
    dataset.borderColor = colours[dataset.colourIndex ?? 0];
    dataset.backgroundColor = colours[dataset.colourIndex ?? 0];
  }
  const text = chartColours(dark);
  chart.options.scales.x.ticks.color = text.muted;
  chart.options.scales.y.ticks.color = text.muted;
  chart.options.plugins.legend.labels.color = text.text;
}

/** Bucket start as a clock time; with days in the window, the weekday too. */
function label(epochSeconds, window) {
  const date = new Date(epochSeconds * 1000);
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
  return window === '7d' ? `${date.toLocaleDateString('en-GB', { weekday: 'short' })} ${time}` : time;
}
