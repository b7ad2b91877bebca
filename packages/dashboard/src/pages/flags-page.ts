import { formatPercent } from '@kaviar/flags-core/internal';
import { statusBadge, timeTag } from '../format';
import { html, type SafeHtml } from '../html';
import type { FlagOverview, RampView } from '../read-model';
import { layout, type PageContext } from './layout';

function instancesCell(row: FlagOverview): SafeHtml {
  if (row.live === 0) return html`<span class="muted">no live instance</span>`;
  const behind = row.live - row.serving;
  return html`<span class="${behind > 0 ? 'warn-text' : ''}">${row.serving} / ${row.live}</span>${behind > 0 ? html` <span class="badge status-warn"><span aria-hidden="true">!</span> ${behind} behind</span>` : ''}`;
}

/** A ramp in a word and a number: `holding at 5 %`, step 2 of 3; the state is always written out. @internal */
export function rampCell(ramp: RampView | undefined): SafeHtml {
  if (ramp === undefined) return html`<span class="muted">none</span>`;
  const cls =
    ramp.state === 'active' || ramp.state === 'completed'
      ? 'status-pass'
      : ramp.state === 'rolled_back'
        ? 'status-fail'
        : 'status-warn';
  return html`<span class="badge ${cls}" data-ramp-state="${ramp.state}">${ramp.state.replace('_', ' ')}</span> at ${formatPercent(ramp.currentPercent)} <span class="muted small">step ${ramp.stepIndex + 1} of ${ramp.steps.length}</span>`;
}

/** Every flag: the on-call person's first look. @internal */
export function flagsPage(ctx: PageContext, rows: readonly FlagOverview[]): SafeHtml {
  const link = (key: string) => `${ctx.base}/flags/${encodeURIComponent(key)}`;
  const table = rows.length
    ? html`<div class="table-wrap"><table class="stack">
<caption class="sr-only">Flags</caption>
<thead><tr><th scope="col">Flag</th><th scope="col">Enabled</th><th scope="col" class="num">Rollout</th><th scope="col" class="num">Allowlist</th><th scope="col" class="num">Version</th><th scope="col">Updated</th><th scope="col">Last check</th><th scope="col">Ramp</th><th scope="col">Instances serving / live</th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr data-flag="${r.flag.key}">
<th scope="row" data-label="Flag"><a href="${link(r.flag.key)}">${r.flag.key}</a>${r.flag.description ? html`<div class="desc">${r.flag.description}</div>` : ''}</th>
<td data-label="Enabled">${r.flag.enabled ? html`<span class="badge on">on</span>` : html`<span class="badge off">off</span>`}</td>
<td data-label="Rollout" class="num rollout">${formatPercent(r.flag.rolloutPercentage)}</td>
<td data-label="Allowlist" class="num">${r.flag.allowlistCount}</td>
<td data-label="Version" class="num">v${r.flag.version}</td>
<td data-label="Updated">${timeTag(r.flag.updatedAt)}<div class="muted small">by ${r.flag.updatedBy}</div></td>
<td data-label="Last check">${r.lastCheckpoint ? html`<a class="plain" href="${link(r.flag.key)}#checkpoint-${r.lastCheckpoint.id}">${statusBadge(r.lastCheckpoint.status)}</a> <span class="muted">${r.lastCheckpoint.phase} / ${r.lastCheckpoint.label}</span><div class="small">${timeTag(r.lastCheckpoint.at)}</div>` : html`<span class="muted">never checked</span>`}</td>
<td data-label="Ramp">${rampCell(r.ramp)}</td>
<td data-label="Instances">${instancesCell(r)}</td>
</tr>`,
)}
</tbody></table></div>`
    : html`<p class="empty">No flags yet. Create one with <code>kaviar-flags create &lt;flag&gt;</code>.</p>`;
  return layout(ctx, {
    title: 'Flags',
    nav: 'flags',
    body: html`<h1>Flags <span class="count">${rows.length}</span></h1>${table}`,
  });
}
