// The Active Requests grid. Rows are keyed by request_id and changed only through transactions;
// durations are computed in the browser from start_time so they tick every second between events.

import {
  formatDuration, formatLatency, formatNumber, shortId, stripProvider,
} from './format.js';
import { badge, copyText, el, providerBadge, syncRows } from './grid-util.js';
import { cancelRequest } from './api.js';

export class ActiveRequestsGrid {
  /**
   * @param {HTMLElement} element
   * @param {object} agGrid the AG Grid global
   * @param {object} theme AG Grid theme object
   * @param {{ nowSeconds: () => number }} clock server-aligned epoch seconds
   * @param {(id: string) => void} onRowClick opens the detail drawer
   */
  constructor(element, agGrid, theme, clock, onRowClick = () => {}) {
    this._clock = clock;
    this._rows = new Map();
    this._ready = false;
    this._onReady = [];
    this._api = agGrid.createGrid(element, {
      theme,
      rowData: [],
      columnDefs: this._columns(),
      defaultColDef: { sortable: true, resizable: true, suppressMovable: true },
      getRowId: (params) => String(params.data.request_id),
      localeText: { noRowsToShow: 'No requests in flight' },
      animateRows: true,
      suppressCellFocus: true,
      enableCellTextSelection: true,
      includeHiddenColumnsInQuickFilter: true,
      // Every column stays in the DOM: the cancel button at the far right must be reachable on a narrow screen.
      suppressColumnVirtualisation: true,
      rowClassRules: { 'row-stalled': (p) => p.data?.phase === 'stalled' },
      onRowClicked: (p) => { if (p.data?.request_id) onRowClick(p.data.request_id); },
      onGridReady: () => {
        this._ready = true;
        for (const callback of this._onReady.splice(0)) callback();
      },
    });
  }

  /**
   * On a phone the grid keeps what matters most — model (with a phase dot), duration, output tokens —
   * so it fits without sideways scrolling; the other columns return on a wider screen.
   */
  fitToScreen(narrow) {
    if (this._narrow === narrow) return;
    this._narrow = narrow;
    this._api.setGridOption('columnDefs', this._columns(narrow));
  }

  /** Cluster mode (the payload lists replicas): show which replica owns each request. */
  showReplicas(visible) {
    if (this._replicas === visible) return;
    this._replicas = visible;
    this._api.setColumnsVisible(['replica'], visible && !this._narrow);
  }

  get ready() { return this._ready; }

  whenReady(callback) {
    if (this._ready) callback();
    else this._onReady.push(callback);
  }

  /** Applies a snapshot; returns the request ids that left the grid (finished). */
  apply(activeRequests) {
    return syncRows(this._api, this._rows, activeRequests, (row) => row?.request_id);
  }

  /**
   * Applies delta-mode changes (`start` adds or replaces, `update` merges the changed fields into the row,
   * `end` removes) as one transaction: rows keep their DOM, and the sort order only moves rows whose sort
   * value changed. Returns the request ids that left the grid.
   */
  applyChanges(changes) {
    const add = [];
    const update = [];
    const remove = [];
    for (const [id, change] of changes) {
      const current = this._rows.get(id);
      if (change.kind === 'end') {
        if (current) {
          remove.push(current);
          this._rows.delete(id);
        }
      } else if (change.kind === 'start' || current) {
        const row = change.kind === 'start' ? change.row : { ...current, ...change.row };
        (current ? update : add).push(row);
        this._rows.set(id, row);
      }
    }
    if (add.length || update.length || remove.length) this._api.applyTransaction({ add, update, remove });
    return remove.map((row) => String(row.request_id));
  }

  /** How many rows are streaming and stalled (the rest are waiting). */
  phaseCounts() {
    let streaming = 0;
    let stalled = 0;
    for (const row of this._rows.values()) {
      if (row.phase === 'streaming') streaming++;
      else if (row.phase === 'stalled') stalled++;
    }
    return { streaming, stalled };
  }

  get rowCount() { return this._rows.size; }

  /** The quick filter: matches provider, model, client, key and phase (hidden columns included). */
  setFilter(text) { this._api.setGridOption('quickFilterText', text); }

  /** Re-evaluates the duration column; only cells whose text changes are repainted. */
  tick() {
    if (this._rows.size > 0) this._api.refreshCells({ columns: ['duration'] });
  }

  _columns(narrow = false) {
    const clock = this._clock;
    const tokens = (field) => ({
      valueGetter: (p) => p.data?.[field] ?? 0,
      valueFormatter: (p) => (p.data?.tokens_estimated ? `~${formatNumber(p.value)}` : formatNumber(p.value)),
      cellClassRules: { est: (p) => !!p.data?.tokens_estimated },
      type: 'rightAligned',
      cellClass: ['num', 'ag-right-aligned-cell'],
      minWidth: 100,
      flex: 1,
    });
    return [
      // First, so the detail drawer (on the right) never covers it.
      { colId: 'cancel', headerName: '', cellRenderer: cancelCell, minWidth: 90, maxWidth: 100, flex: 0.6, sortable: false, getQuickFilterText: () => '', hide: narrow },
      { colId: 'provider', field: 'provider', headerName: 'Provider', cellRenderer: providerBadge, minWidth: 120, flex: 1, hide: narrow },
      {
        colId: 'model',
        headerName: 'Model',
        valueGetter: (p) => p.data?.resolved_model || p.data?.model || '',
        cellRenderer: narrow ? compactModelCell : modelCell,
        minWidth: narrow ? 130 : 200,
        flex: 2.2,
        tooltipValueGetter: (p) => p.data?.qualified_model,
      },
      { colId: 'phase', field: 'phase', headerName: 'Phase', cellRenderer: phaseCell, minWidth: 128, flex: 1, hide: narrow },
      {
        colId: 'streaming',
        field: 'is_streaming',
        headerName: 'Stream',
        cellRenderer: (p) => el('span', p.value ? 'flag flag-on' : 'flag', p.value ? 'SSE' : '—'),
        minWidth: 86,
        flex: 0.7,
        hide: narrow,
      },
      {
        colId: 'duration',
        headerName: narrow ? 'Time' : 'Duration',
        // Sort by the number, show the text.
        valueGetter: (p) => elapsedMs(p.data, clock),
        valueFormatter: (p) => formatDuration(p.value),
        type: 'rightAligned',
        cellClass: ['num', 'ag-right-aligned-cell'],
        sort: 'desc',
        sortingOrder: ['desc', 'asc'],
        minWidth: narrow ? 76 : 112,
        flex: 1,
      },
      {
        colId: 'ttft',
        field: 'ttft_ms',
        headerName: 'TTFT',
        valueFormatter: (p) => formatLatency(p.value),
        type: 'rightAligned',
        cellClass: ['num', 'ag-right-aligned-cell'],
        minWidth: 96,
        flex: 1,
        hide: narrow,
      },
      { colId: 'input', headerName: 'Input', headerTooltip: 'Input tokens (~ while estimated)', ...tokens('input_tokens'), hide: narrow },
      { colId: 'output', headerName: 'Output', headerTooltip: 'Output tokens so far (~ while estimated)', ...tokens('output_tokens'), minWidth: narrow ? 84 : 100 },
      {
        colId: 'tools',
        headerName: 'Tools',
        headerTooltip: 'Tool calls made in this response (tool uses / results sent in the conversation)',
        valueGetter: (p) => p.data?.tool_calls ?? 0,
        tooltipValueGetter: (p) => `${p.data?.tool_calls ?? 0} calls · ${p.data?.tool_uses ?? 0} uses · ${p.data?.tool_results ?? 0} results in the request`,
        type: 'rightAligned',
        cellClass: ['num', 'ag-right-aligned-cell'],
        minWidth: 80,
        flex: 0.7,
        hide: narrow,
      },
      {
        colId: 'notes',
        headerName: 'Notes',
        headerTooltip: 'What translation dropped or mapped (translation_notes)',
        valueGetter: (p) => p.data?.translation_notes?.length ?? 0,
        valueFormatter: (p) => (p.value ? String(p.value) : '—'),
        tooltipValueGetter: (p) => (p.data?.translation_notes ?? []).join('\n') || null,
        type: 'rightAligned',
        cellClass: ['num', 'ag-right-aligned-cell'],
        minWidth: 76,
        flex: 0.6,
        hide: narrow,
      },
      {
        colId: 'tps',
        field: 'tokens_per_second',
        headerName: 'tokens/s',
        headerTooltip: 'Output tokens per second since the first byte',
        valueFormatter: (p) => (p.value ? formatNumber(Math.round(p.value)) : '—'),
        type: 'rightAligned',
        cellClass: ['num', 'ag-right-aligned-cell'],
        minWidth: 90,
        flex: 0.7,
        hide: narrow,
      },
      {
        colId: 'idle',
        field: 'idle_ms',
        headerName: 'Idle',
        headerTooltip: 'Time since the last upstream byte',
        valueFormatter: (p) => formatDuration(p.value ?? 0),
        type: 'rightAligned',
        cellClass: ['num', 'ag-right-aligned-cell'],
        minWidth: 80,
        flex: 0.7,
        hide: narrow,
      },
      {
        colId: 'client',
        headerName: 'Client',
        valueGetter: (p) => [p.data?.client_name, p.data?.client_version].filter(Boolean).join(' '),
        minWidth: 120,
        flex: 1,
        hide: narrow,
      },
      { colId: 'key', field: 'key_label', headerName: 'Key', valueFormatter: (p) => p.value ?? '—', minWidth: 80, flex: 0.7, hide: narrow },
      { colId: 'replica', field: 'replica', headerName: 'Replica', valueFormatter: (p) => p.value ?? '—', minWidth: 90, flex: 0.8, hide: narrow || !this._replicas },
      { colId: 'request_id', field: 'request_id', headerName: 'Request', cellRenderer: requestIdCell, minWidth: 170, flex: 1.4, sortable: false, hide: narrow },
    ];
  }
}

/** Elapsed time from start_time on the server's clock; the payload's duration_ms when start_time is missing. */
export function elapsedMs(row, clock) {
  if (!row) return 0;
  if (typeof row.start_time === 'number' && row.start_time > 0) {
    return Math.max(0, (clock.nowSeconds() - row.start_time) * 1000);
  }
  return row.duration_ms ?? 0;
}

/** Requested → resolved model (just the model when they are the same); for active rows and log entries. */
export function modelCell(params) {
  const row = params.data;
  if (!row) return '';
  const resolved = row.resolved_model || row.model || '';
  const requested = stripProvider(row.requested_model || '', row.provider);
  const node = el('span', 'model');
  if (requested && requested !== resolved) {
    node.append(el('span', 'model-requested', requested), el('span', 'model-arrow', '→'));
  }
  node.append(el('span', 'model-resolved', resolved));
  return node;
}

/** Phone layout: the phase as a coloured dot before the resolved model. */
function compactModelCell(params) {
  const row = params.data;
  if (!row) return '';
  const phase = ['streaming', 'stalled'].includes(row.phase) ? row.phase : 'waiting';
  const node = el('span', `model compact phase-${phase}`);
  node.title = `${phase[0].toUpperCase()}${phase.slice(1)} · ${row.qualified_model ?? ''}`;
  node.append(el('span', 'badge-dot'), el('span', 'model-resolved', row.resolved_model || row.model || ''));
  return node;
}

function phaseCell(params) {
  const phase = ['streaming', 'stalled'].includes(params.value) ? params.value : 'waiting';
  return badge(`${phase[0].toUpperCase()}${phase.slice(1)}`, `phase-${phase}`);
}

/** Cancel with a confirmation; the row leaves the grid when the request ends. */
function cancelCell(params) {
  const id = params.data?.request_id;
  if (!id) return '';
  const button = el('button', 'button button-ghost cancel', 'Cancel');
  button.type = 'button';
  button.setAttribute('aria-label', `Cancel request ${id}`);
  button.addEventListener('click', async (event) => {
    event.stopPropagation();
    if (!window.confirm(`Cancel request ${id}? The client gets an error and the upstream call is aborted.`)) return;
    button.disabled = true;
    try {
      await cancelRequest(id);
      button.textContent = 'Cancelled';
    } catch {
      button.textContent = 'Failed';
      button.disabled = false;
    }
  });
  return button;
}

export function requestIdCell(params) {
  const id = params.value;
  if (!id) return '';
  const node = el('span', 'rid');
  const text = el('span', 'rid-text', shortId(id));
  text.title = id;
  const button = el('button', 'copy', 'Copy');
  button.type = 'button';
  button.setAttribute('aria-label', `Copy request id ${id}`);
  button.addEventListener('click', async (event) => {
    event.stopPropagation();
    if (await copyText(id)) {
      button.textContent = 'Copied';
      button.dataset.copied = '';
      setTimeout(() => { button.textContent = 'Copy'; delete button.dataset.copied; }, 1200);
    }
  });
  node.append(text, button);
  return node;
}
