// The live feed of active requests: an EventSource on /metrics/active-requests/stream?mode=delta (a
// `snapshot`, then `request-start` / `request-update` / `request-end`), with our own reconnect policy (exponential backoff with jitter, capped) instead of the browser's fixed retry, and
// a polling fallback when the stream is disabled (a `disabled` event, or 503).

import { endpoints, getJson, UnauthorizedError } from './api.js';

const BackoffBaseMs = 1000;
const BackoffCapMs = 30_000;
const PollIntervalMs = 3000;
const DisabledPollIntervalMs = 10_000;

/** States shown by the connection indicator. */
export const FeedState = Object.freeze({
  Connecting: 'connecting',
  Live: 'live',
  Reconnecting: 'reconnecting',
  Polling: 'polling',
  Disabled: 'disabled',
  SignedOut: 'signed-out',
});

/** "Equal jitter": half the exponential delay is fixed, half random, so many tabs don't reconnect in step. */
export function backoffDelay(attempt, random = Math.random) {
  const exponential = Math.min(BackoffCapMs, BackoffBaseMs * 2 ** Math.min(attempt, 16));
  return Math.round(exponential / 2 + random() * exponential / 2);
}

export class ActiveRequestsFeed {
  /**
   * @param {object} handlers
   * @param {(payload: object) => void} handlers.onSnapshot every snapshot, newest last
   * @param {(kind: string, data: object) => void} handlers.onDelta `start`, `update` or `end` of one request
   * @param {(state: string, detail?: object) => void} handlers.onState indicator changes
   * @param {() => void} handlers.onUnauthorized the session is gone
   */
  constructor({ onSnapshot, onDelta = () => {}, onState, onUnauthorized }) {
    this._onSnapshot = onSnapshot;
    this._onDelta = onDelta;
    this._onState = onState;
    this._onUnauthorized = onUnauthorized;
    this._source = null;
    this._attempt = 0;
    this._retryTimer = 0;
    this._pollTimer = 0;
    this._mode = 'stopped';
    this._state = null;
    this._onOnline = () => this._retryNow();
    this._onVisible = () => { if (!document.hidden) this._retryNow(); };
  }

  get state() { return this._state; }

  start() {
    if (this._mode !== 'stopped') return;
    window.addEventListener('online', this._onOnline);
    document.addEventListener('visibilitychange', this._onVisible);
    this._connect();
  }

  stop() {
    this._mode = 'stopped';
    window.removeEventListener('online', this._onOnline);
    document.removeEventListener('visibilitychange', this._onVisible);
    this._closeSource();
    clearTimeout(this._retryTimer);
    clearTimeout(this._pollTimer);
  }

  _setState(state, detail) {
    this._state = state;
    this._onState(state, detail);
  }

  _connect() {
    this._mode = 'stream';
    this._closeSource();
    if (this._state !== FeedState.Reconnecting) {
      this._setState(this._attempt === 0 ? FeedState.Connecting : FeedState.Reconnecting);
    }
    const source = new EventSource(endpoints.stream);
    this._source = source;
    const live = () => {
      this._attempt = 0;
      if (this._state !== FeedState.Live) this._setState(FeedState.Live);
    };
    // `snapshot` opens every delta stream (and follows a resume); `update` is the default mode's full list.
    for (const type of ['snapshot', 'update']) {
      source.addEventListener(type, (event) => {
        if (source !== this._source) return;
        const payload = parse(event.data);
        if (!payload) return;
        live();
        this._onSnapshot(payload);
      });
    }
    for (const [type, kind] of [['request-start', 'start'], ['request-update', 'update'], ['request-end', 'end']]) {
      source.addEventListener(type, (event) => {
        if (source !== this._source) return;
        const data = parse(event.data);
        if (!data?.request_id) return;
        live();
        this._onDelta(kind, data);
      });
    }
    source.addEventListener('disabled', (event) => {
      if (source !== this._source) return;
      this._closeSource();
      this._startPolling('metrics-disabled', parse(event.data) ?? { disabled: true });
    });
    source.addEventListener('error', () => {
      if (source !== this._source) return;
      // Always take over from the browser's own retry so our backoff and diagnosis apply.
      this._closeSource();
      this._diagnose();
    });
  }

  /** Finds out why the stream failed: 503 means it is disabled (poll), 401 that the session ended. */
  async _diagnose() {
    if (this._mode !== 'stream') return;
    this._setState(FeedState.Reconnecting);
    const controller = new AbortController();
    let status = 0;
    let body = null;
    try {
      const response = await fetch(endpoints.stream, { headers: { accept: 'text/event-stream' }, cache: 'no-store', signal: controller.signal });
      status = response.status;
      if (status !== 200) body = parse(await response.text());
    } catch {
      status = 0; // network down: the server is away
    } finally {
      controller.abort();
    }
    if (this._mode !== 'stream') return;
    if (status === 401) {
      this._mode = 'stopped';
      this._setState(FeedState.SignedOut);
      this._onUnauthorized();
      return;
    }
    if (status === 503) {
      this._startPolling('stream-disabled', body ?? { disabled: true });
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    clearTimeout(this._retryTimer);
    const delay = backoffDelay(this._attempt++);
    this._setState(FeedState.Reconnecting, { retryInMs: delay });
    this._retryTimer = setTimeout(() => this._connect(), delay);
  }

  /** Skips the rest of a backoff wait when the network or the tab comes back. */
  _retryNow() {
    if (this._mode === 'stream' && this._state === FeedState.Reconnecting && !this._source) {
      clearTimeout(this._retryTimer);
      this._connect();
    }
  }

  /**
   * Polls the snapshot instead of streaming. `metrics-disabled` (LOG_REQUEST_METRICS=false) returns to
   * the stream as soon as a poll shows metrics on again; `stream-disabled` (503) keeps polling.
   */
  _startPolling(kind, payload) {
    this._mode = 'polling';
    this._pollKind = kind;
    this._closeSource();
    clearTimeout(this._retryTimer);
    if (kind === 'metrics-disabled') this._setState(FeedState.Disabled, payload);
    this._poll();
  }

  async _poll() {
    if (this._mode !== 'polling') return;
    clearTimeout(this._pollTimer);
    let interval = PollIntervalMs;
    try {
      const payload = await getJson(endpoints.active);
      if (this._mode !== 'polling') return;
      if (payload?.disabled) {
        this._setState(FeedState.Disabled, payload);
        interval = this._pollKind === 'metrics-disabled' ? DisabledPollIntervalMs : PollIntervalMs;
      } else if (this._pollKind === 'metrics-disabled') {
        this._attempt = 0;
        this._connect();
        return;
      } else {
        this._setState(FeedState.Polling, { intervalMs: PollIntervalMs });
      }
      this._onSnapshot(payload ?? { active_requests: [] });
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        this._mode = 'stopped';
        this._setState(FeedState.SignedOut);
        this._onUnauthorized();
        return;
      }
      this._setState(FeedState.Reconnecting);
    }
    this._pollTimer = setTimeout(() => this._poll(), interval);
  }

  _closeSource() {
    if (this._source) {
      this._source.close();
      this._source = null;
    }
  }
}

function parse(data) {
  if (!data) return null;
  try {
    const value = JSON.parse(data);
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}
