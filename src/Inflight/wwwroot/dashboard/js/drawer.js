// The request drawer: the detail endpoint for one request, refreshed every second while it is open
// (the record, its timeline, upstream status, translation notes and who sent it, and — only with
// VDM_CAPTURE_CONTENT=true — the last user message and the tail of the answer as it streams). In cluster
// mode it names the owning replica; another replica's request shows what its owner published, never its content.

import { getRequestDetail } from './api.js';
import { formatClock, formatDuration, formatNumber } from './format.js';

const TIMELINE = ['received_at', 'routed_at', 'upstream_headers_at', 'first_token_at', 'last_chunk_at', 'finished_at'];

export class RequestDrawer {
  constructor(element, body, title) {
    this._element = element;
    this._body = body;
    this._title = title;
    this._id = null;
    this._timer = null;
  }

  open(id) {
    this._id = id;
    this._title.textContent = `Request ${id}`;
    this._element.hidden = false;
    this._load();
    clearInterval(this._timer);
    this._timer = setInterval(() => { if (!document.hidden) this._load(); }, 1000);
  }

  close() {
    this._id = null;
    this._element.hidden = true;
    clearInterval(this._timer);
  }

  async _load() {
    const id = this._id;
    let detail;
    try {
      detail = await getRequestDetail(id);
    } catch (error) {
      if (id === this._id) this._render([['Status', error?.status === 404 ? 'No longer in the recent log' : 'Could not load']]);
      return;
    }
    if (id !== this._id) return;
    const record = detail.record ?? {};
    const rows = [
      ['State', detail.state],
      ...(detail.replica ? [['Replica', detail.remote ? `${detail.replica} (another replica; as it last published)` : `${detail.replica} (this replica)`]] : []),
      ['Phase / status', record.phase ?? `${record.status ?? ''}${record.error_type ? ` (${record.error_type})` : ''}`],
      ['Model', `${record.requested_model ?? ''} → ${record.qualified_model ?? ''}`],
      ['Upstream status', detail.upstream_status ?? '—'],
      ['Client', [detail.client_name, detail.client_version].filter(Boolean).join(' ')],
      ['Session', detail.session_id ?? '—'],
      ['User', detail.user_id ?? '—'],
      ['Key', detail.key_label ?? '—'],
      ['Tokens in / out', `${formatNumber(record.input_tokens ?? 0)} / ${formatNumber(record.output_tokens ?? 0)}`],
      ['tokens/s', record.tokens_per_second ? formatNumber(Math.round(record.tokens_per_second)) : '—'],
      ['Idle', record.idle_ms === undefined ? '—' : formatDuration(record.idle_ms)],
    ];
    for (const step of TIMELINE) {
      const at = detail.timeline?.[step];
      rows.push([step, at ? `${formatClock(at)}.${String(Math.round((at % 1) * 1000)).padStart(3, "0")}` : "—"]);
    }
    if (detail.cancelled_by) rows.push(['Cancelled by', detail.cancelled_by]);
    rows.push(['Translation notes', (detail.translation_notes ?? []).join('\n') || '—']);
    if (detail.content_unavailable) rows.push(['Content', detail.content_unavailable]);
    if (detail.content) {
      rows.push(['Last user message', detail.content.last_user_message || '—', 'content']);
      rows.push(['Output (last 4 KB)', detail.content.output_tail || '—', 'content']);
    }
    this._render(rows);
  }

  _render(rows) {
    const fragment = document.createDocumentFragment();
    for (const [name, value, className] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = String(value ?? '—');
      dd.dataset.field = name;
      if (className) dd.className = className;
      fragment.append(dt, dd);
    }
    this._body.replaceChildren(fragment);
  }
}
