// Small helpers for AG Grid: DOM-built cell renderers (never innerHTML with API data) and
// transaction-based syncing so grids update rows in place instead of redrawing.

import { providerColour } from './format.js';

/** Creates an element with a class and text (textContent only: model names etc. are untrusted). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = String(text);
  return node;
}

export function badge(text, className, colour) {
  const node = el('span', `badge ${className ?? ''}`.trim());
  if (colour) node.style.setProperty('--badge', colour);
  node.append(el('span', 'badge-dot'), document.createTextNode(String(text ?? '')));
  return node;
}

export function providerBadge(params) {
  const provider = params.value;
  if (!provider) return '';
  return badge(provider, 'provider', providerColour(provider));
}

/** The replica column of the log grids: hidden until rows carry `replica` (cluster mode, REDIS_URL). */
export function replicaColumn() {
  return { colId: 'replica', field: 'replica', headerName: 'Replica', valueFormatter: (p) => p.value ?? '—', hide: true, minWidth: 90, flex: 0.7 };
}

/** Shows the replica column of `api` once any of `rows` names its replica. */
export function showReplicaColumn(api, rows) {
  if (rows.some((row) => row?.replica)) api.setColumnsVisible(['replica'], true);
}

/**
 * Makes the grid show exactly `rows`: adds new ids, updates changed rows, removes missing ids — one
 * transaction, so unchanged rows keep their DOM, sorting and selection. Returns the ids removed.
 */
export function syncRows(api, current, rows, idOf) {
  const next = new Map();
  for (const row of rows) {
    const id = idOf(row);
    if (id == null || id === '') continue;
    next.set(String(id), row); // the last row with an id wins: duplicates collapse to one row
  }
  const add = [];
  const update = [];
  const remove = [];
  for (const [id, row] of next) {
    const previous = current.get(id);
    if (!previous) add.push(row);
    else if (!shallowEqual(previous, row)) update.push(row);
  }
  const removedIds = [];
  for (const [id, row] of current) {
    if (!next.has(id)) {
      remove.push(row);
      removedIds.push(id);
    }
  }
  current.clear();
  for (const [id, row] of next) current.set(id, row);
  if (add.length || update.length || remove.length) {
    api.applyTransaction({ add, update, remove });
  }
  return removedIds;
}

function shallowEqual(a, b) {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (x && y && typeof x === 'object' && typeof y === 'object' && JSON.stringify(x) === JSON.stringify(y)) continue;
    return false;
  }
  return true;
}

/** Copies text; falls back to a hidden textarea where the Clipboard API is unavailable. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    area.remove();
    return ok;
  }
}
