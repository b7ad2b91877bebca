import { formatDuration, formatPercent } from '@kaviar/flags-core/internal';
import type { VersionExposure } from '@kaviar/flags-monitor';
import { describeSteps } from '@kaviar/flags-pg/internal';
import { exposureChart, exposureVerdict } from '../exposure-chart';
import { sharePercent, statusBadge, timeTag } from '../format';
import { html, type SafeHtml } from '../html';
import type { FlagDetail, InstanceView } from '../read-model';
import { timelineChart } from '../timeline-chart';
import { describeAuditChange } from './audit-text';
import { checkpointDetail } from './checkpoint-detail';
import { rampCell } from './flags-page';
import { layout, type PageContext } from './layout';

function summary(d: FlagDetail): SafeHtml {
  const f = d.flag;
  const last = d.checkpoints[0];
  const live = d.instances.filter((i) => i.lag.live && !i.lag.presumedGone);
  const serving = live.filter((i) => !i.lag.behind).length;
  const item = (label: string, value: unknown) =>
    html`<div class="stat"><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<dl class="stats">
${item('Enabled', f.enabled ? html`<span class="badge on">on</span>` : html`<span class="badge off">off</span>`)}
${item('Rollout', html`<span class="big rollout">${formatPercent(f.rolloutPercentage)}</span>`)}
${item('Allowlist', `${f.allowlistCount} passengers`)}
${item('Version', `v${f.version}`)}
${item('Updated', html`${timeTag(f.updatedAt)} by ${f.updatedBy}`)}
${item('Last check', last ? html`<a class="plain" href="#checkpoint-${last.id}">${statusBadge(last.status)}</a> ${last.phase} / ${last.label}` : 'never checked')}
${item('Instances', live.length ? `${serving} of ${live.length} live serve v${f.version}` : 'no live instance')}
${item('Ramp', d.ramp ? html`${rampCell(d.ramp)}<div class="small">${describeSteps(d.ramp.steps)}: ${d.ramp.explanation}</div>` : html`<span class="muted">none</span>`)}
</dl>`;
}

function exposureTable(rows: readonly VersionExposure[]): SafeHtml {
  if (rows.length === 0) return html``;
  return html`<div class="table-wrap"><table class="stack">
<caption class="sr-only">Observed exposure share per flag version</caption>
<thead><tr><th scope="col">Version</th><th scope="col" class="num">Configured</th><th scope="col" class="num">Observed</th><th scope="col">Interval</th><th scope="col" class="num">Passengers</th><th scope="col">Verdict</th><th scope="col">Counted</th></tr></thead>
<tbody>${rows.map((v) => {
    const verdict = exposureVerdict(v);
    const cls = verdict === 'consistent' ? 'pass' : verdict === 'outside interval' ? 'fail' : 'skip';
    return html`<tr data-version="${v.flagVersion}">
<th scope="row" data-label="Version">v${v.flagVersion}</th>
<td data-label="Configured" class="num">${v.configured ? (v.configured.enabled ? formatPercent(v.configured.rolloutPercentage) : 'disabled') : '?'}</td>
<td data-label="Observed" class="num">${v.share === null ? '—' : sharePercent(v.share)}</td>
<td data-label="Interval">${v.interval ? `${sharePercent(v.interval.low)} – ${sharePercent(v.interval.high)}` : html`<span class="muted">—</span>`}</td>
<td data-label="Passengers" class="num">${v.subjectsEnabled.toLocaleString('en-US')} of ${v.subjects.toLocaleString('en-US')}</td>
<td data-label="Verdict"><span class="badge status-${cls}">${verdict}</span></td>
<td data-label="Counted">${timeTag(v.firstWindow)} – ${timeTag(v.lastWindow)}, ${v.instances} instance${v.instances === 1 ? '' : 's'}</td>
</tr>`;
  })}</tbody></table></div>`;
}

function instanceRow(v: InstanceView, current: number): SafeHtml {
  const i = v.instance;
  const serves = v.lag.behind
    ? html`v${i.loadedVersion} <span class="badge status-warn"><span aria-hidden="true">!</span> behind</span>`
    : html`v${i.loadedVersion} <span class="badge status-pass"><span aria-hidden="true">✓</span> current</span>`;
  const lag = v.lag.behind
    ? `${current - i.loadedVersion} version${current - i.loadedVersion === 1 ? '' : 's'}${v.lag.behindForMs === null ? '' : `, ${formatDuration(v.lag.behindForMs)}`}`
    : '—';
  const state = i.state === 'closed' ? 'closed' : v.lag.live ? i.state : 'silent';
  return html`<tr data-instance="${i.id}" class="${v.lag.presumedGone || !v.lag.live ? 'dim' : ''}">
<th scope="row" data-label="Instance">${i.id}</th>
<td data-label="App">${i.app || '—'}</td>
<td data-label="Host">${i.host || '—'}${i.pid === null ? '' : html` <span class="muted">pid ${i.pid}</span>`}</td>
<td data-label="Serves">${serves}</td>
<td data-label="Lag">${lag}</td>
<td data-label="State">${state}${i.lastError ? html`<div class="muted small">${i.lastError}</div>` : ''}</td>
<td data-label="Last heartbeat">${timeTag(i.lastSeenAt)} <span class="muted">(${formatDuration(i.ageMs)} ago)</span></td>
<td data-label="Presumed gone">${v.lag.presumedGone ? html`<span class="badge status-skip">presumed gone</span>` : 'no'}</td>
</tr>`;
}

function auditFeed(d: FlagDetail): SafeHtml {
  if (d.audit.length === 0) return html`<p class="muted">No audited change.</p>`;
  return html`<ol class="feed">${d.audit.slice(0, 100).map((e) => {
    const change = describeAuditChange(e);
    return html`<li class="feed-item" data-audit="${e.id}">
<div class="feed-head"><strong>${e.actor}</strong> <span class="action">${e.action}</span> ${timeTag(e.at)}${e.version === null ? '' : html` <span class="muted">v${e.version}</span>`}</div>
<div class="feed-change">${change.before ? html`<span class="before">${change.before}</span> <span aria-hidden="true">→</span><span class="sr-only">to</span> ` : ''}<span class="after">${change.after}</span></div>
<div class="feed-reason">${e.reason ? html`“${e.reason}”` : html`<span class="muted">no reason given</span>`}</div>
</li>`;
  })}</ol>${d.audit.length > 100 ? html`<p class="muted">Older changes: <code>kaviar-flags history ${d.flag.key}</code>.</p>` : ''}`;
}

/** One flag: its story over time, its checkpoints, exposure, instances and audit feed. @internal */
export function flagPage(ctx: PageContext, d: FlagDetail): SafeHtml {
  const instances = d.instances.length
    ? html`<div class="table-wrap"><table class="stack">
<caption class="sr-only">Instances that sent a heartbeat in the last day</caption>
<thead><tr><th scope="col">Instance</th><th scope="col">App</th><th scope="col">Host</th><th scope="col">Serves</th><th scope="col">Lag</th><th scope="col">State</th><th scope="col">Last heartbeat</th><th scope="col">Presumed gone</th></tr></thead>
<tbody>${d.instances.map((v) => instanceRow(v, d.flag.version))}</tbody></table></div>`
    : html`<p class="muted">No instance sent a heartbeat in the last day.</p>`;
  const body = html`<nav class="crumbs" aria-label="Breadcrumb"><a href="${ctx.base}/">Flags</a> <span aria-hidden="true">/</span></nav>
<h1 class="flag-key">${d.flag.key}</h1>
${d.flag.description ? html`<p class="lead">${d.flag.description}</p>` : ''}
${summary(d)}
<section aria-labelledby="h-timeline" class="card"><h2 id="h-timeline">Rollout over time</h2>
${timelineChart(d.steps, d.checkpoints, d.now)}
<div id="marker-popover" class="popover" role="dialog" aria-live="polite" hidden></div>
</section>
<section aria-labelledby="h-checkpoints" class="card"><h2 id="h-checkpoints">Checkpoints <span class="count">${d.checkpoints.length}</span></h2>
${d.checkpoints.length ? d.checkpoints.slice(0, 50).map((c, i) => checkpointDetail(c, i === 0 && c.status !== 'PASS')) : html`<p class="muted">No checkpoint recorded. Run <code>kaviar-flags check ${d.flag.key} --record</code>.</p>`}
</section>
<section aria-labelledby="h-exposure" class="card"><h2 id="h-exposure">Exposure: observed share against the configured rollout</h2>
${exposureChart(d.exposures, d.confidence)}
${exposureTable(d.exposures)}
</section>
<section aria-labelledby="h-instances" class="card"><h2 id="h-instances">Instances</h2>
${instances}
</section>
<section aria-labelledby="h-audit" class="card"><h2 id="h-audit">Audit</h2>
${auditFeed(d)}
</section>`;
  return layout(ctx, { title: d.flag.key, nav: 'none', body });
}

/** The page for a flag that does not exist. @internal */
export function notFoundPage(ctx: PageContext, what: string): SafeHtml {
  return layout(ctx, {
    title: 'Not found',
    nav: 'none',
    body: html`<h1>Not found</h1><p>${what}</p><p><a href="${ctx.base}/">All flags</a></p>`,
  });
}
