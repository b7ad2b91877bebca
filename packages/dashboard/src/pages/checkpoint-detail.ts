import { formatPercent } from '@kaviar/flags-core/internal';
import type { AuditQuote, Finding } from '@kaviar/flags-monitor';
import { statusBadge, timeTag } from '../format';
import { html, type SafeHtml } from '../html';
import type { ShownCheckpoint } from '../redact';
import { describeAuditChange } from './audit-text';

function quote(q: AuditQuote): SafeHtml {
  const change = describeAuditChange(q);
  return html`<blockquote class="audit-quote"><strong>${q.actor}</strong> ${q.action} at ${timeTag(new Date(q.at))}${q.version === null ? '' : html` (v${q.version})`}: ${change.before ? html`${change.before} → ` : ''}${change.after}${q.reason ? html` — “${q.reason}”` : html` <span class="muted">(no reason given)</span>`}</blockquote>`;
}

function finding(f: Finding): SafeHtml {
  return html`<li class="finding">${statusBadge(f.status)} <strong>${f.name}</strong>: ${f.message}
${f.notes?.length ? html`<ul class="notes">${f.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
${f.audit?.length ? f.audit.map(quote) : ''}</li>`;
}

/** What the operator expected, as words (member ids never shown). @internal */
export function expectationText(c: ShownCheckpoint): string {
  const parts: string[] = [];
  if (c.expected.enabled !== undefined) parts.push(c.expected.enabled ? 'enabled' : 'disabled');
  if (c.expected.rolloutPercentage !== undefined)
    parts.push(`rollout ${formatPercent(c.expected.rolloutPercentage)}`);
  if (c.expected.allowlistSize !== undefined) parts.push(`${c.expected.allowlistSize} on the allowlist`);
  if (c.requiredMembers > 0) parts.push(`${c.requiredMembers} required members`);
  return parts.length ? `expected ${parts.join(', ')}` : 'no expectations given';
}

/** A checkpoint as an expandable block, the target of the chart's markers. @internal */
export function checkpointDetail(c: ShownCheckpoint, open: boolean): SafeHtml {
  return html`<details class="checkpoint status-${c.status.toLowerCase()}" id="checkpoint-${c.id}" data-status="${c.status}"${open ? html` open` : ''}>
<summary>${statusBadge(c.status)} <span class="cp-name">${c.phase} / ${c.label}</span> <span class="cp-time">${timeTag(c.at)}</span></summary>
<div class="checkpoint-body">
<p class="muted">${expectationText(c)}; configuration version ${c.configVersion ?? 'unknown'}.</p>
<ul class="findings">${c.findings.map(finding)}</ul>
</div>
</details>`;
}
