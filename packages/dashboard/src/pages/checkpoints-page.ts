import type { CheckStatus } from '@kaviar/flags-monitor';
import { statusBadge, timeTag } from '../format';
import { html, type SafeHtml } from '../html';
import type { CheckpointsView } from '../read-model';
import { layout, type PageContext } from './layout';

/** The filter the page was asked for. @internal */
export interface CheckpointFilter {
  readonly status: readonly CheckStatus[];
  readonly phase: string | undefined;
}

const STATUSES: readonly CheckStatus[] = ['PASS', 'WARN', 'FAIL', 'UNKNOWN'];

/** Checkpoints across flags, newest first, filterable by verdict and phase. @internal */
export function checkpointsPage(ctx: PageContext, view: CheckpointsView, filter: CheckpointFilter): SafeHtml {
  const phases =
    filter.phase && !view.phases.includes(filter.phase) ? [filter.phase, ...view.phases] : view.phases;
  const form = html`<form class="filters" method="get" action="${ctx.base}/checkpoints" role="search">
<fieldset><legend>Status</legend>
${STATUSES.map(
  (s) =>
    html`<label class="check"><input type="checkbox" name="status" value="${s}"${filter.status.includes(s) ? html` checked` : ''}> ${statusBadge(s)}</label>`,
)}
</fieldset>
<label class="field">Phase <select name="phase"><option value="">all phases</option>${phases.map(
    (p) => html`<option value="${p}"${p === filter.phase ? html` selected` : ''}>${p}</option>`,
  )}</select></label>
<button type="submit">Filter</button>${filter.status.length || filter.phase ? html` <a href="${ctx.base}/checkpoints">Clear</a>` : ''}
</form>`;
  const rows = view.checkpoints.map((c) => {
    const attention = c.findings.filter((f) => f.status !== 'PASS' && f.status !== 'SKIP');
    const skipped = c.findings.filter((f) => f.status === 'SKIP').map((f) => f.name);
    const passed = c.findings.filter((f) => f.status === 'PASS').map((f) => f.name);
    const summary = attention.length
      ? attention.map((f) => `${f.name}: ${f.message}`)
      : [
          `${passed.length} of ${c.findings.length} findings pass (${passed.join(', ')})${skipped.length ? `; skipped: ${skipped.join(', ')}` : ''}`,
        ];
    return html`<tr data-status="${c.status}" data-phase="${c.phase}">
<td data-label="When">${timeTag(c.at)}</td>
<td data-label="Status">${statusBadge(c.status)}</td>
<th scope="row" data-label="Flag"><a href="${ctx.base}/flags/${encodeURIComponent(c.flagKey)}#checkpoint-${c.id}">${c.flagKey}</a></th>
<td data-label="Phase">${c.phase}</td>
<td data-label="Label">${c.label}</td>
<td data-label="Findings" class="summary">${summary.map((s) => html`<div>${s}</div>`)}</td>
</tr>`;
  });
  const table = view.checkpoints.length
    ? html`<div class="table-wrap"><table class="stack">
<caption class="sr-only">Checkpoints, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Flag</th><th scope="col">Phase</th><th scope="col">Label</th><th scope="col">Findings</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p class="empty">No checkpoint matches.</p>`;
  return layout(ctx, {
    title: 'Checkpoints',
    nav: 'checkpoints',
    body: html`<h1>Checkpoints <span class="count">${view.checkpoints.length}</span></h1>${form}${table}`,
  });
}
