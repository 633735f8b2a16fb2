// Request log over the history store: an AG Grid (infinite row model) paged from the server through
// GET /metrics/logs?source=store and its before= cursor, filtered on the server by provider, model,
// status and error type.

import { getJson } from './api.js';
import { formatDuration, formatLatency, formatNumber } from './format.js';
import { requestIdCell } from './active-grid.js';
import { badge, providerBadge, replicaColumn, showReplicaColumn } from './grid-util.js';

/** Rows per server page; also the grid's block size, so one block is one request. */
const PageSize = 100;

/**
 * The pages of one filter, fetched in order: page n needs page n-1's next_before. A block asked for out
 * of order (a jump to the end of the scrollbar) waits for the pages before it.
 */
class CursorPager {
  constructor(query) {
    this._query = query;
    this._pages = [];
    this._chain = Promise.resolve();
  }

  page(index) {
    const result = this._chain.then(() => this._fill(index));
    this._chain = result.catch(() => {});
    return result;
  }

  async _fill(index) {
    while (this._pages.length <= index) {
      const previous = this._pages[this._pages.length - 1];
      if (previous && previous.nextBefore == null) return null;
      const params = new URLSearchParams(this._query);
      params.set('source', 'store');
      params.set('limit', String(PageSize));
      if (previous) params.set('before', String(previous.nextBefore));
      const json = await getJson(`../metrics/logs?${params}`);
      const rows = Array.isArray(json?.recent_requests) ? json.recent_requests : [];
      this._pages.push({ rows, nextBefore: json?.next_before ?? null });
    }
    return this._pages[index];
  }
}

export class RequestLogView {
  constructor({ agGrid, theme, root }) {
    this._root = root;
    this._form = root.querySelector('form');
    this._grid = agGrid.createGrid(root.querySelector('#request-log-grid'), {
      theme,
      rowModelType: 'infinite',
      cacheBlockSize: PageSize,
      maxBlocksInCache: 20,
      maxConcurrentDatasourceRequests: 1,
      infiniteInitialRowCount: 1,
      defaultColDef: { sortable: false, resizable: true, suppressMovable: true },
      suppressCellFocus: true,
      enableCellTextSelection: true,
      getRowId: (p) => String(p.data.request_id),
      localeText: { noRowsToShow: 'No stored requests match' },
      columnDefs: [
        { colId: 'started', headerName: 'Started', valueGetter: (p) => p.data?.start_time, valueFormatter: (p) => dateTime(p.value), minWidth: 150, flex: 1, cellClass: 'num' },
        { colId: 'status', headerName: 'Status', valueGetter: (p) => p.data?.status, cellRenderer: statusCell, minWidth: 110, flex: 0.8 },
        replicaColumn(),
        { field: 'provider', headerName: 'Provider', cellRenderer: providerBadge, minWidth: 110, flex: 0.9 },
        { field: 'model', headerName: 'Model', tooltipField: 'qualified_model', minWidth: 150, flex: 1.4 },
        { field: 'client_name', headerName: 'Client', minWidth: 110, flex: 0.9 },
        { field: 'duration_ms', headerName: 'Duration', valueFormatter: (p) => formatDuration(p.value), type: 'rightAligned', cellClass: ['num', 'ag-right-aligned-cell'], minWidth: 90, flex: 0.8 },
        { field: 'ttft_ms', headerName: 'TTFT', valueFormatter: (p) => formatLatency(p.value), type: 'rightAligned', cellClass: ['num', 'ag-right-aligned-cell'], minWidth: 86, flex: 0.8 },
        {
          colId: 'tokens', headerName: 'Tokens in / out', valueGetter: (p) => (p.data ? `${formatNumber(p.data.input_tokens ?? 0)} / ${formatNumber(p.data.output_tokens ?? 0)}` : ''),
          type: 'rightAligned', cellClass: ['num', 'ag-right-aligned-cell'], minWidth: 130, flex: 1,
        },
        { field: 'error_type', headerName: 'Error', valueFormatter: (p) => p.value ?? '', minWidth: 130, flex: 1 },
        { field: 'request_id', headerName: 'Request', cellRenderer: requestIdCell, minWidth: 170, flex: 1.3 },
      ],
    });
    this._form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.reload();
    });
    this._form.addEventListener('change', () => this.reload());
  }

  /** Starts over from the newest stored request with the form's filters. */
  reload() {
    const query = {};
    for (const [name, value] of new FormData(this._form)) {
      if (typeof value === 'string' && value.trim()) query[name] = value.trim();
    }
    const pager = new CursorPager(query);
    const status = this._root.querySelector('#request-log-status');
    this._grid.setGridOption('datasource', {
      getRows: async (params) => {
        const index = Math.floor(params.startRow / PageSize);
        try {
          const page = await pager.page(index);
          if (!page) {
            params.successCallback([], params.startRow);
            return;
          }
          const last = page.nextBefore == null ? params.startRow + page.rows.length : -1;
          showReplicaColumn(this._grid, page.rows);
          params.successCallback(page.rows, last);
          status.textContent = last >= 0 ? `${formatNumber(last)} stored requests` : `${formatNumber(params.startRow + page.rows.length)}+ stored requests`;
        } catch (error) {
          status.textContent = error?.body?.message ?? 'The history store could not be read.';
          params.failCallback();
        }
      },
    });
  }
}

function statusCell(params) {
  if (!params.value) return '';
  const ok = params.value !== 'error';
  const code = params.data?.status_code;
  return badge(code ? `${ok ? 'OK' : 'Error'} ${code}` : ok ? 'OK' : 'Error', ok ? 'status-success' : 'status-error');
}

function dateTime(epochSeconds) {
  if (epochSeconds == null || !Number.isFinite(epochSeconds)) return '';
  const date = new Date(epochSeconds * 1000);
  return `${date.toLocaleDateString('en-CA')} ${date.toLocaleTimeString('en-GB', { hour12: false })}`;
}
