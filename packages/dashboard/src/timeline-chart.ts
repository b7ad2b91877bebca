/**
 * The rollout timeline, hand-written SVG rendered on the server: the configured rollout as a step
 * line (from the audit log), a point per change, and a marker per checkpoint placed on the line at
 * its time. Markers differ by shape and carry their status word, so colour is never the only
 * signal; each is a link to the checkpoint's findings (keyboard-focusable, works without script) and
 * has a `<title>` for hover. The browser script adds a popover and local times.
 */

import { formatPercent } from '@kaviar/flags-core/internal';
import { utcText } from './format';
import { html, type SafeHtml } from './html';
import type { ShownCheckpoint } from './redact';
import { type RolloutStep, stepAt } from './rollout-timeline';
import { niceMax, timeTicks } from './time-ticks';

const W = 960;
const H = 300;
const M = { left: 52, right: 20, top: 30, bottom: 40 };

const round = (n: number) => Math.round(n * 10) / 10;

/** A tick in UTC (`10:26`, `10:26:30`, `2026-02-03`); the browser's script puts it in local time. */
function tickText(at: number, stepMs: number): string {
  const text = utcText(new Date(at));
  if (stepMs >= 86_400_000) return text.slice(0, 10);
  return text.slice(11, stepMs < 60_000 ? 19 : 16);
}

function markerShape(status: string, x: number, y: number): SafeHtml {
  const r = 7;
  if (status === 'PASS') return html`<circle cx="${x}" cy="${y}" r="${r}"/>`;
  if (status === 'WARN')
    return html`<path d="M${x} ${round(y - r - 1)}L${round(x + r + 1)} ${round(y + r - 1)}H${round(x - r - 1)}Z"/>`;
  if (status === 'FAIL')
    return html`<path d="M${x} ${y - r - 2}L${x + r + 2} ${y}L${x} ${y + r + 2}L${x - r - 2} ${y}Z"/>`;
  return html`<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}"/>`;
}

function effective(step: RolloutStep): number {
  return step.enabled ? step.rolloutPercentage : 0;
}

/** The chart, or a sentence when the audit log has nothing to draw. @internal */
export function timelineChart(
  steps: readonly RolloutStep[],
  checkpoints: readonly ShownCheckpoint[],
  now: Date,
): SafeHtml {
  if (steps.length === 0) return html`<p class="muted">No audited change of this flag to draw.</p>`;
  const first = steps[0]!;
  const shown = checkpoints.filter((c) => c.at.getTime() >= first.at.getTime());
  const times = [...steps.map((s) => s.at.getTime()), ...shown.map((c) => c.at.getTime())];
  const start = Math.min(...times);
  const end = Math.max(now.getTime(), ...times);
  const pad = Math.max((end - start) * 0.04, 1000);
  const x0 = start - pad;
  const x1 = end + pad;
  const yMax = niceMax(Math.max(...steps.map((s) => s.rolloutPercentage), 0.1));
  const x = (t: number) => round(M.left + ((t - x0) / (x1 - x0)) * (W - M.left - M.right));
  const y = (v: number) => round(H - M.bottom - (v / yMax) * (H - M.top - M.bottom));

  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => Number((yMax * f).toFixed(2)));
  const grid = yTicks.map(
    (v) =>
      html`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}"/><text class="tick" x="${M.left - 8}" y="${y(v) + 4}" text-anchor="end">${formatPercent(v)}</text>`,
  );
  const xTicks = timeTicks(x0, x1, 6).map(
    (t) =>
      html`<text class="tick" x="${x(t.at)}" y="${H - M.bottom + 18}" text-anchor="middle" data-time="${new Date(t.at).toISOString()}" data-step="${t.stepMs}">${tickText(t.at, t.stepMs)}</text>`,
  );

  let d = '';
  const segments: SafeHtml[] = [];
  steps.forEach((step, i) => {
    const next = steps[i + 1];
    const xa = x(step.at.getTime());
    const xb = x(next ? next.at.getTime() : end);
    const ya = y(effective(step));
    d = i === 0 ? `M${xa} ${ya}` : `${d}V${ya}`;
    d += `H${xb}`;
    if (!step.enabled) {
      segments.push(
        html`<line class="off" x1="${xa}" x2="${xb}" y1="${ya}" y2="${ya}"/><text class="off-label" x="${xa + 4}" y="${ya - 6}">disabled</text>`,
      );
    }
  });
  const area = `${d}V${y(0)}H${x(first.at.getTime())}Z`;

  const points = steps
    .filter((s) => s.action !== 'before')
    .map((step) => {
      const who = step.actor ? ` by ${step.actor}` : '';
      const why = step.reason ? `: ${step.reason}` : '';
      const state = step.enabled
        ? formatPercent(step.rolloutPercentage)
        : `disabled (rollout ${formatPercent(step.rolloutPercentage)})`;
      return html`<circle class="point" cx="${x(step.at.getTime())}" cy="${y(effective(step))}" r="4" data-rollout="${step.rolloutPercentage}" data-enabled="${step.enabled}" data-at="${step.at.toISOString()}"><title>${state} set${who} at ${utcText(step.at)}${why}</title></circle>`;
    });
  const labels = steps
    .filter((s) => s.action !== 'before')
    .map(
      (step) =>
        html`<text class="point-label" x="${x(step.at.getTime()) + 6}" y="${y(effective(step)) - 8}">${step.enabled ? formatPercent(step.rolloutPercentage) : 'off'}</text>`,
    );

  const markers = shown
    .slice()
    .reverse()
    .map((c) => {
      const step = stepAt(steps, c.at);
      const cx = x(c.at.getTime());
      const cy = y(step ? effective(step) : 0);
      const title = `${c.status}: ${c.phase} / ${c.label} at ${utcText(c.at)}`;
      return html`<a class="marker status-${c.status.toLowerCase()}" href="#checkpoint-${c.id}" data-status="${c.status}" data-checkpoint="${c.id}" data-at="${c.at.toISOString()}" aria-label="${title}"><title>${title}</title>${markerShape(c.status, cx, cy)}<text class="marker-label" x="${cx}" y="${cy + 22}" text-anchor="middle">${c.status}</text></a>`;
    });

  const nowX = x(now.getTime());
  return html`<figure class="chart">
<svg class="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="timeline-title" data-x0="${x0}" data-x1="${x1}" data-ymax="${yMax}">
<title id="timeline-title">Rollout over time with ${shown.length} checkpoints</title>
${grid}${xTicks}
<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${y(0)}" y2="${y(0)}"/>
<path class="area" d="${area}"/>
<path class="rollout-line" d="${d}"/>
${segments}
<line class="now" x1="${nowX}" x2="${nowX}" y1="${M.top - 10}" y2="${y(0)}"/><text class="tick" x="${nowX}" y="${M.top - 14}" text-anchor="end">now</text>
${points}${labels}${markers}
</svg>
<figcaption class="legend"><span class="legend-item"><span class="legend-line"></span> configured rollout</span> <span class="legend-item"><span class="legend-marker status-pass">●</span> PASS</span> <span class="legend-item"><span class="legend-marker status-warn">▲</span> WARN</span> <span class="legend-item"><span class="legend-marker status-fail">◆</span> FAIL</span> <span class="legend-item"><span class="legend-marker status-unknown">■</span> UNKNOWN</span> <span class="legend-item">checkpoints: hover, focus or click for findings</span></figcaption>
</figure>`;
}
