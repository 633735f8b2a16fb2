// Recent requests and recent errors from GET /metrics/logs, refreshed when requests finish.

import { formatClock, formatDuration, formatLatency, formatNumber } from './format.js';
import { modelCell, requestIdCell } from './active-grid.js';
import { badge, el, providerBadge, replicaColumn, showReplicaColumn, syncRows } from './grid-util.js';

export class LogsView {
  constructor({ agGrid, theme }) {
    this._recentRows = new Map();
    this._errorRows = new Map();
    const common = {
      theme,
      rowData: [],
      defaultColDef: { sortable: true, resizable: true, suppressMovable: true },
      suppressCellFocus: true,
      enableCellTextSelection: true,
      getRowId: (p) => String(p.data.request_id),
    };
    const time = { colId: 'time', headerName: 'Finished', valueGetter: (p) => p.data.end_time ?? p.data.start_time, valueFormatter: (p) => formatClock(p.value), sort: 'desc', minWidth: 96, flex: 0.9, cellClass: 'num' };
    const model = { colId: 'model', headerName: 'Model', valueGetter: (p) => p.data.model ?? p.data.resolved_model ?? '', cellRenderer: modelCell, tooltipValueGetter: (p) => p.data.qualified_model, minWidth: 150, flex: 1.6 };
    const provider = { field: 'provider', headerName: 'Provider', cellRenderer: providerBadge, minWidth: 110, flex: 1 };
    this._recent = agGrid.createGrid(document.getElementById('recent-grid'), {
      ...common,
      localeText: { noRowsToShow: 'No finished requests yet' },
      columnDefs: [
        time,
        { colId: 'status', headerName: 'Status', valueGetter: (p) => statusOf(p.data), cellRenderer: statusCell, minWidth: 122, flex: 0.9 },
        replicaColumn(),
        provider,
        model,
        { field: 'duration_ms', headerName: 'Duration', valueFormatter: (p) => formatDuration(p.value), type: 'rightAligned', cellClass: ['num', 'ag-right-aligned-cell'], minWidth: 92, flex: 0.9 },
        { field: 'ttft_ms', headerName: 'TTFT', valueFormatter: (p) => formatLatency(p.value), type: 'rightAligned', cellClass: ['num', 'ag-right-aligned-cell'], minWidth: 86, flex: 0.9 },
        {
          colId: 'tokens', headerName: 'Tokens in / out', valueGetter: (p) => (p.data.input_tokens ?? 0) + (p.data.output_tokens ?? 0),
          valueFormatter: (p) => `${formatNumber(p.data.input_tokens ?? 0)} / ${p.data.tokens_estimated ? '~' : ''}${formatNumber(p.data.output_tokens ?? 0)}`,
          type: 'rightAligned', cellClass: ['num', 'ag-right-aligned-cell'], minWidth: 130, flex: 1.2,
        },
        {
          colId: 'notes', headerName: 'Notes', headerTooltip: 'What translation dropped or mapped (translation_notes)',
          valueGetter: (p) => p.data.translation_notes?.length ?? 0, valueFormatter: (p) => (p.value ? String(p.value) : '—'),
          tooltipValueGetter: (p) => (p.data.translation_notes ?? []).join('\n') || null, cellClass: 'num', minWidth: 70, flex: 0.6,
        },
        { field: 'request_id', headerName: 'Request', cellRenderer: requestIdCell, minWidth: 170, flex: 1.4, sortable: false },
      ],
    });
    this._errors = agGrid.createGrid(document.getElementById('errors-grid'), {
      ...common,
      localeText: { noRowsToShow: 'No errors — all good' },
      columnDefs: [
        time,
        { field: 'error_type', headerName: 'Error', cellRenderer: (p) => badge(p.value || 'error', 'status-error'), minWidth: 190, flex: 1.2 },
        { field: 'status_code', headerName: 'Code', valueFormatter: (p) => (p.value == null ? '—' : String(p.value)), minWidth: 70, flex: 0.6, cellClass: 'num' },
        replicaColumn(),
        provider,
        model,
        {
          colId: 'message', headerName: 'Message', valueGetter: (p) => p.data.error_message ?? p.data.error ?? p.data.message ?? '',
          cellRenderer: (p) => el('span', 'err-msg', p.value), tooltipValueGetter: (p) => p.value, minWidth: 200, flex: 2.2,
        },
        { field: 'request_id', headerName: 'Request', cellRenderer: requestIdCell, minWidth: 170, flex: 1.4, sortable: false },
      ],
    });
  }

  render(json) {
    const recent = arrayOf(json?.recent_requests ?? json?.requests);
    const errors = arrayOf(json?.recent_errors ?? json?.errors);
    showReplicaColumn(this._recent, recent);
    showReplicaColumn(this._errors, errors);
    syncRows(this._recent, this._recentRows, recent, (r) => r?.request_id);
    syncRows(this._errors, this._errorRows, errors, (r) => r?.request_id);
  }
}

function arrayOf(value) {
  return Array.isArray(value) ? value.filter((v) => v && typeof v === 'object') : [];
}

function statusOf(row) {
  if (!row) return '';
  if (row.status) return row.status;
  return row.error_type ? 'error' : 'success';
}

function statusCell(params) {
  const ok = params.value !== 'error';
  const code = params.data?.status_code;
  return badge(code ? `${ok ? 'OK' : 'Error'} ${code}` : ok ? 'OK' : 'Error', ok ? 'status-success' : 'status-error');
}
