// Formatting helpers shared by every panel. Pure functions: no DOM, no state.

const numberFormat = new Intl.NumberFormat('en-US');
const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** Elapsed time as `<1s`, `12s`, `3m 04s`, `1h 02m`. */
export function formatDuration(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return '<1s';
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(totalMinutes / 60);
  return `${hours}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** Short latencies (TTFT, averages) keep their milliseconds: `850 ms`, `1.42 s`, then as durations. */
export function formatLatency(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return formatDuration(ms);
}

export function formatNumber(value) {
  if (value == null || !Number.isFinite(value)) return '—';
  return numberFormat.format(value);
}

/** Large counts stay short in the overview cards: `12.4K`, `3.1M`. */
export function formatCompact(value) {
  if (value == null || !Number.isFinite(value)) return '—';
  return Math.abs(value) < 10_000 ? numberFormat.format(value) : compactFormat.format(value);
}

export function formatPercent(fraction) {
  if (fraction == null || !Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  return `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** Clock time of an epoch-seconds value, `14:03:27`. */
export function formatClock(epochSeconds) {
  if (epochSeconds == null || !Number.isFinite(epochSeconds)) return '—';
  return new Date(epochSeconds * 1000).toLocaleTimeString('en-GB', { hour12: false });
}

/** A request id short enough for a grid cell; the full id stays in the title and the copy button. */
export function shortId(id) {
  if (typeof id !== 'string') return '';
  return id.length > 14 ? `${id.slice(0, 4)}…${id.slice(-8)}` : id;
}

/** Strips a `provider:` prefix so "openai:gpt-4o" and "gpt-4o" compare equal. */
export function stripProvider(model, provider) {
  if (typeof model !== 'string') return '';
  if (provider && model.toLowerCase().startsWith(`${String(provider).toLowerCase()}:`)) {
    return model.slice(String(provider).length + 1);
  }
  return model;
}

const knownProviderColours = {
  anthropic: '#d97757',
  openai: '#10a37f',
  openrouter: '#6467f2',
  azure: '#0078d4',
  google: '#4285f4',
  gemini: '#4285f4',
  mistral: '#f97316',
  groq: '#f55036',
  ollama: '#64748b',
  demo: '#8b5cf6',
  fake: '#0ea5e9',
};

/** A stable colour per provider: known brands get theirs, others a hue hashed from the name. */
export function providerColour(provider) {
  const name = String(provider ?? '').toLowerCase();
  if (knownProviderColours[name]) return knownProviderColours[name];
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return `hsl(${Math.abs(hash) % 360} 62% 50%)`;
}

/** Reads the first finite number among several candidate field names (the API's names may differ slightly). */
export function pickNumber(obj, ...names) {
  if (!obj || typeof obj !== 'object') return undefined;
  for (const name of names) {
    const value = obj[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}
