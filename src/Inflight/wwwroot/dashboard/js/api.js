// HTTP helpers. Everything is same-origin; the session cookie (HttpOnly) rides along by itself, so the
// page never holds the key after sign-in.

export const endpoints = {
  session: 'api/session',
  active: '../metrics/active-requests',
  // Delta mode: a snapshot, then only what changed per request (bytes follow the changes, not the row count).
  stream: '../metrics/active-requests/stream?mode=delta',
  totals: '../metrics/running-totals?format=json',
  logs: '../metrics/logs?limit=50',
};

/** Thrown for a 401 so the app can show the sign-in form instead of retrying. */
export class UnauthorizedError extends Error {
  constructor() { super('Sign-in required'); this.name = 'UnauthorizedError'; }
}

export class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
  }
}

export async function getJson(url, { signal } = {}) {
  const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', signal });
  return readJson(response);
}

async function readJson(response) {
  let body = null;
  const text = await response.text();
  if (text) {
    try { body = JSON.parse(text); } catch { body = { message: text }; }
  }
  if (response.status === 401) throw new UnauthorizedError();
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

/** Detail of one request (active or recent). */
export function getRequestDetail(id, { signal } = {}) {
  return getJson(`../metrics/active-requests/${encodeURIComponent(id)}`, { signal });
}

/** Cancels an active request; the custom header is the CSRF defence the server asks of cookie sessions. */
export async function cancelRequest(id) {
  const response = await fetch(`../metrics/active-requests/${encodeURIComponent(id)}/cancel`, {
    method: 'POST',
    headers: { accept: 'application/json', 'x-inflight-csrf': '1' },
    cache: 'no-store',
  });
  return readJson(response);
}

export function getSession() {
  return getJson(endpoints.session);
}

/** Exchanges the key for a session cookie. Returns `{ ok, status, message, retryAfter }`. */
export async function signIn(key) {
  const response = await fetch(endpoints.session, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ key }),
    cache: 'no-store',
  });
  let body = null;
  try { body = await response.json(); } catch { /* empty or not JSON */ }
  return {
    ok: response.ok,
    status: response.status,
    message: body?.message,
    retryAfter: Number(response.headers.get('retry-after')) || undefined,
  };
}

export async function signOut() {
  await fetch(endpoints.session, { method: 'DELETE', cache: 'no-store' });
}
