// Entry point: sign-in gate, then the live feed feeding the Active Requests grid, with totals and
// logs refreshed as requests finish. The vendored AG Grid and Chart.js are classic deferred scripts,
// which run before this module.

import { endpoints, getJson, getSession, signIn, signOut, UnauthorizedError } from './api.js';
import { ActiveRequestsFeed, FeedState } from './stream.js';
import { ActiveRequestsGrid } from './active-grid.js';
import { RequestDrawer } from './drawer.js';
import { TotalsView } from './totals.js';
import { LogsView } from './logs.js';
import { HistoryView } from './history.js';
import { RequestLogView } from './request-log.js';
import { createGridTheme, followColourScheme } from './theme.js';
import { formatClock, formatNumber } from './format.js';

const TotalsIntervalMs = 10_000;
const FinishedDebounceMs = 400;
const HistoryIntervalMs = 30_000;

const $ = (id) => document.getElementById(id);

const app = {
  session: null,
  feed: null,
  grid: null,
  totals: null,
  logs: null,
  /** The newest snapshot not yet shown: older ones are dropped, never queued. */
  pending: null,
  /** Per-request changes since that snapshot (delta mode), merged per id; applied as one transaction per frame. */
  pendingChanges: new Map(),
  /** Whether the last snapshot said metrics are off. */
  disabled: false,
  flushQueued: false,
  /** Server clock minus browser clock, in seconds (see alignClock). */
  clockOffset: 0,
  clockSamples: [],
  lastUpdate: 0,
  refreshTimer: 0,
  totalsTimer: 0,
  history: null,
  requestLog: null,
  historyTimer: 0,
  tickTimer: 0,
  refreshing: false,
  refreshAgain: false,
};

const clock = { nowSeconds: () => Date.now() / 1000 + app.clockOffset };

async function main() {
  followColourScheme((dark) => {
    app.totals?.applyColourScheme(dark);
    app.history?.applyColourScheme(dark);
  });
  $('signin-form').addEventListener('submit', onSignIn);
  $('sign-out').addEventListener('click', onSignOut);
  document.addEventListener('visibilitychange', onVisibilityChange);

  let session;
  try {
    session = await getSession();
  } catch {
    session = { auth_required: false, signed_in: true };
  }
  app.session = session;
  if (session?.auth_required && !session.signed_in) showSignIn();
  else startDashboard();
}

function startDashboard() {
  $('signin').hidden = true;
  $('dashboard').hidden = false;
  $('sign-out').hidden = !app.session?.auth_required;

  // Connect first: a snapshot that arrives before the grid is ready waits in `pending`.
  app.feed?.stop();
  app.feed = new ActiveRequestsFeed({ onSnapshot, onDelta, onState, onUnauthorized: sessionEnded });
  app.feed.start();

  if (!app.grid) {
    const theme = createGridTheme(window.agGrid);
    app.grid = new ActiveRequestsGrid($('active-grid'), window.agGrid, theme, clock, (id) => app.drawer.open(id));
    app.drawer = new RequestDrawer($('drawer'), $('drawer-body'), $('drawer-title'));
    $('drawer-close').addEventListener('click', () => app.drawer.close());
    $('active-filter').addEventListener('input', (event) => app.grid.setFilter(event.target.value));
    app.totals = new TotalsView({ agGrid: window.agGrid, theme, Chart: window.Chart });
    app.logs = new LogsView({ agGrid: window.agGrid, theme });
    app.history = new HistoryView({ Chart: window.Chart, root: $('history') });
    app.requestLog = new RequestLogView({ agGrid: window.agGrid, theme, root: $('request-log') });
    app.grid.whenReady(scheduleFlush);
    const phone = window.matchMedia('(max-width: 560px)');
    app.grid.fitToScreen(phone.matches);
    phone.addEventListener('change', () => app.grid.fitToScreen(phone.matches));
  }

  clearInterval(app.tickTimer);
  app.tickTimer = setInterval(() => { if (!document.hidden) app.grid.tick(); }, 1000);
  clearInterval(app.totalsTimer);
  app.totalsTimer = setInterval(() => { if (!document.hidden) refreshTotalsAndLogs(); }, TotalsIntervalMs);
  refreshTotalsAndLogs();
  clearInterval(app.historyTimer);
  app.historyTimer = setInterval(() => { if (!document.hidden) refreshHistory(); }, HistoryIntervalMs);
  refreshHistory(true);
}

/** The history view and, the first time the store answers, the request log (the store is off when it does not). */
async function refreshHistory(first = false) {
  try {
    await app.history.refresh();
    if (first && !$('history').hidden) app.requestLog.reload();
  } catch (error) {
    if (error instanceof UnauthorizedError) sessionEnded();
  }
}

function stopDashboard() {
  app.feed?.stop();
  app.feed = null;
  clearInterval(app.tickTimer);
  clearInterval(app.totalsTimer);
  clearInterval(app.historyTimer);
  clearTimeout(app.refreshTimer);
}

function onSnapshot(payload) {
  if (typeof payload.timestamp === 'number') alignClock(payload.timestamp);
  app.pending = payload;
  // The snapshot supersedes every change queued before it.
  app.pendingChanges.clear();
  markUpdated();
}

/** A delta event: merged into the queued change of its request, so a burst costs one grid transaction. */
function onDelta(kind, data) {
  const id = String(data.request_id);
  const queued = app.pendingChanges.get(id);
  if (kind === 'end') {
    app.pendingChanges.set(id, { kind: 'end' });
  } else if (kind === 'start') {
    app.pendingChanges.set(id, { kind: 'start', row: data });
  } else if (queued?.kind === 'end') {
    return; // an update racing an end changes nothing
  } else if (queued) {
    queued.row = { ...queued.row, ...data };
  } else {
    app.pendingChanges.set(id, { kind: 'update', row: data });
  }
  markUpdated();
}

function markUpdated() {
  app.lastUpdate = Date.now();
  $('connection-updated').textContent = `updated ${formatClock(app.lastUpdate / 1000)}`;
  scheduleFlush();
}

/**
 * A snapshot's timestamp is when the server took it, which can be a little before it reaches us (a new
 * subscriber gets the latest shared snapshot). Staleness only ever makes the offset smaller, so the
 * largest offset of the last half minute is the best estimate of the server's clock.
 */
function alignClock(serverSeconds) {
  const now = Date.now();
  app.clockSamples.push({ at: now, offset: serverSeconds - now / 1000 });
  while (app.clockSamples.length > 1 && now - app.clockSamples[0].at > 30_000) app.clockSamples.shift();
  app.clockOffset = Math.max(...app.clockSamples.map((s) => s.offset));
}

function scheduleFlush() {
  // Hidden tabs don't render; the newest snapshot is applied when the tab is visible again.
  if (app.flushQueued || document.hidden || !app.grid?.ready || (!app.pending && app.pendingChanges.size === 0)) return;
  app.flushQueued = true;
  requestAnimationFrame(flush);
}

function flush() {
  app.flushQueued = false;
  const payload = app.pending;
  const changes = app.pendingChanges;
  app.pending = null;
  app.pendingChanges = new Map();
  if (!payload && changes.size === 0) return;
  if (payload) app.disabled = !!payload.disabled;
  const finished = payload
    ? app.grid.apply(Array.isArray(payload.active_requests) ? payload.active_requests : [])
    : [];
  finished.push(...app.grid.applyChanges(changes));
  const count = app.grid.rowCount;
  $('active-count').textContent = formatNumber(count);
  $('fig-active').textContent = app.disabled ? '—' : formatNumber(count);
  const { streaming, stalled } = app.grid.phaseCounts();
  $('fig-active-sub').textContent = count > 0
    ? `${formatNumber(streaming)} streaming · ${formatNumber(count - streaming - stalled)} waiting${stalled ? ` · ${formatNumber(stalled)} stalled` : ''}`
    : 'in flight';
  $('fig-active-sub').classList.toggle('stalled', stalled > 0);
  // Delta mode sends changes without the payload's cluster fields: keep what the last payload said.
  if (payload) app.clusterPayload = payload;
  if (app.clusterPayload) showCluster(app.clusterPayload);
  if (finished.length > 0) scheduleTotalsRefresh();
}

/** Cluster mode: the replica column, and a notice while the view holds this replica's requests only. */
function showCluster(payload) {
  const replicas = Array.isArray(payload.replicas) ? payload.replicas : null;
  app.grid.showReplicas(!!replicas);
  const partial = $('cluster-partial');
  const isPartial = !!payload.cluster?.partial;
  partial.hidden = !isPartial;
  if (isPartial) $('cluster-partial-text').textContent = `showing this replica's requests only: ${payload.cluster.reason ?? 'Redis is unavailable'}.`;
  if (replicas && replicas.length > 0) {
    $('fig-active-sub').textContent += ` · ${formatNumber(replicas.length)} replica${replicas.length === 1 ? '' : 's'}`;
  }
}

/** Requests just finished: their figures are in the totals and logs now. Debounced so bursts cost one fetch. */
function scheduleTotalsRefresh() {
  clearTimeout(app.refreshTimer);
  app.refreshTimer = setTimeout(refreshTotalsAndLogs, FinishedDebounceMs);
}

async function refreshTotalsAndLogs() {
  if (app.refreshing) {
    app.refreshAgain = true;
    return;
  }
  app.refreshing = true;
  try {
    const [totals, logs] = await Promise.allSettled([getJson(endpoints.totals), getJson(endpoints.logs)]);
    if ([totals, logs].some((r) => r.status === 'rejected' && r.reason instanceof UnauthorizedError)) {
      sessionEnded();
      return;
    }
    if (totals.status === 'fulfilled' && totals.value && !totals.value.disabled) app.totals.render(totals.value);
    if (logs.status === 'fulfilled' && logs.value && !logs.value.disabled) app.logs.render(logs.value);
  } finally {
    app.refreshing = false;
    if (app.refreshAgain) {
      app.refreshAgain = false;
      scheduleTotalsRefresh();
    }
  }
}

const stateLabels = {
  [FeedState.Connecting]: 'Connecting',
  [FeedState.Live]: 'Live',
  [FeedState.Reconnecting]: 'Reconnecting',
  [FeedState.Polling]: 'Polling',
  [FeedState.Disabled]: 'Disabled',
  [FeedState.SignedOut]: 'Signed out',
};

function onState(state, detail) {
  const indicator = $('connection');
  indicator.dataset.state = state;
  $('connection-label').textContent = stateLabels[state] ?? state;
  indicator.title = state === FeedState.Reconnecting && detail?.retryInMs
    ? `Connection lost; retrying in ${Math.ceil(detail.retryInMs / 1000)} s`
    : '';
  if (state === FeedState.Disabled) {
    showNotice('disabled', 'Request metrics are disabled.',
      `${detail?.suggestion ?? 'Set LOG_REQUEST_METRICS=true and restart Inflight.'} Polling /metrics/active-requests every 10 s meanwhile.`);
  } else if (state === FeedState.Polling) {
    showNotice('polling', 'Live stream unavailable.',
      `The server turned the SSE stream off (VDM_ACTIVE_REQUESTS_SSE_ENABLED=false); polling /metrics/active-requests every ${Math.round((detail?.intervalMs ?? 3000) / 1000)} s instead.`);
  } else if (state === FeedState.Live) {
    hideNotice();
  }
}

function showNotice(kind, title, text) {
  const notice = $('notice');
  notice.dataset.kind = kind;
  $('notice-title').textContent = title;
  $('notice-text').textContent = text;
  notice.hidden = false;
}

function hideNotice() {
  $('notice').hidden = true;
}

function onVisibilityChange() {
  if (document.hidden) return;
  scheduleFlush();
  app.grid?.tick();
  if (app.feed) refreshTotalsAndLogs();
}

function showSignIn(message) {
  $('dashboard').hidden = true;
  $('signin').hidden = false;
  $('sign-out').hidden = true;
  const indicator = $('connection');
  indicator.dataset.state = FeedState.SignedOut;
  $('connection-label').textContent = stateLabels[FeedState.SignedOut];
  $('connection-updated').textContent = '';
  const error = $('signin-error');
  error.textContent = message ?? '';
  error.hidden = !message;
  $('signin-key').focus();
}

function sessionEnded() {
  stopDashboard();
  app.session = { auth_required: true, signed_in: false };
  showSignIn('Your session has ended. Sign in again.');
}

async function onSignIn(event) {
  event.preventDefault();
  const input = $('signin-key');
  const button = $('signin-submit');
  const error = $('signin-error');
  const key = input.value;
  if (!key) return;
  button.disabled = true;
  error.hidden = true;
  try {
    const result = await signIn(key);
    if (result.ok) {
      input.value = '';
      app.session = { auth_required: true, signed_in: true };
      startDashboard();
      return;
    }
    error.textContent = result.status === 429
      ? `Too many wrong keys came from this address: sign-in is paused for ${result.retryAfter ?? 60} s.`
      : result.status === 401 ? 'That key is not right.' : (result.message ?? `Sign-in failed (HTTP ${result.status}).`);
    error.hidden = false;
    input.select();
  } catch {
    error.textContent = 'Could not reach the server.';
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

async function onSignOut() {
  stopDashboard();
  try { await signOut(); } catch { /* signed out locally either way */ }
  app.session = { auth_required: true, signed_in: false };
  showSignIn();
}

main();
