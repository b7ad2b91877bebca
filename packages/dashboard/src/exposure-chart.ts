/**
 * Observed exposure share per flag version against the configured rollout, as hand-written SVG: one
 * row per version, the configured share as a bar mark, the observed share as a dot with its interval
 * as a whisker. The numbers are also in the table beside it, which is what works without script.
 */
import { formatShare } from '@kaviar/flags-core/internal';
import type { VersionExposure } from '@kaviar/flags-monitor';
import { sharePercent } from './format';
import { html, type SafeHtml } from './html';
import { niceMax } from './time-ticks';

const W = 960;
const ROW = 34;
const M = { left: 64, right: 24, top: 16, bottom: 34 };
const round = (n: number) => Math.round(n * 10) / 10;

/** How an observed share compares with its configuration. @internal */
export function exposureVerdict(v: VersionExposure): 'consistent' | 'outside interval' | 'not enough data' {
  if (!v.enoughData || v.share === null || !v.configured) return 'not enough data';
  const configured = v.configured.enabled ? v.configured.rolloutPercentage / 100 : 0;
  if (!v.interval) return v.share === configured ? 'consistent' : 'outside interval';
  return configured >= v.interval.low && configured <= v.interval.high ? 'consistent' : 'outside interval';
}

/** The chart, or a sentence when no instance reported exposures. @internal */
export function exposureChart(exposures: readonly VersionExposure[], confidence: number): SafeHtml {
  const rows = exposures.filter((v) => v.share !== null);
  if (rows.length === 0) {
    return html`<p class="muted">No exposure counts reported yet (instances report them with <code>countExposures: true</code>, the default).</p>`;
  }
  const H = M.top + M.bottom + rows.length * ROW;
  const top = Math.max(
    ...rows.map((v) =>
      Math.max(v.share ?? 0, v.interval?.high ?? 0, (v.configured?.rolloutPercentage ?? 0) / 100),
    ),
  );
  const xMax = niceMax(top * 100) / 100;
  const x = (share: number) => round(M.left + (Math.min(share, xMax) / xMax) * (W - M.left - M.right));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => xMax * f);
  const body = rows.map((v, i) => {
    const cy = M.top + i * ROW + ROW / 2;
    const configured = v.configured
      ? v.configured.enabled
        ? v.configured.rolloutPercentage / 100
        : 0
      : null;
    const verdict = exposureVerdict(v);
    return html`<g class="exposure-row verdict-${verdict.replace(/ /g, '-')}" data-version="${v.flagVersion}" data-share="${v.share}">
<text class="tick" x="${M.left - 10}" y="${cy + 4}" text-anchor="end">v${v.flagVersion}</text>
${configured === null ? '' : html`<line class="configured" x1="${x(configured)}" x2="${x(configured)}" y1="${cy - 11}" y2="${cy + 11}"><title>configured ${sharePercent(configured)}</title></line>`}
${v.interval ? html`<line class="interval" x1="${x(v.interval.low)}" x2="${x(v.interval.high)}" y1="${cy}" y2="${cy}"/><line class="interval" x1="${x(v.interval.low)}" x2="${x(v.interval.low)}" y1="${cy - 5}" y2="${cy + 5}"/><line class="interval" x1="${x(v.interval.high)}" x2="${x(v.interval.high)}" y1="${cy - 5}" y2="${cy + 5}"/>` : ''}
<circle class="observed" cx="${x(v.share ?? 0)}" cy="${cy}" r="5"><title>v${v.flagVersion}: observed ${sharePercent(v.share ?? 0)}${v.interval ? ` [${sharePercent(v.interval.low)}, ${sharePercent(v.interval.high)}]` : ''}, ${verdict}</title></circle>
</g>`;
  });
  return html`<figure class="chart">
<svg class="exposure" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="exposure-title">
<title id="exposure-title">Observed share per version against the configured rollout</title>
${ticks.map((t) => html`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${M.top}" y2="${H - M.bottom}"/><text class="tick" x="${x(t)}" y="${H - M.bottom + 18}" text-anchor="middle">${sharePercent(t)}</text>`)}
${body}
</svg>
<figcaption class="legend"><span class="legend-item"><span class="legend-configured"></span> configured</span> <span class="legend-item"><span class="legend-observed">●</span> observed share of distinct passengers</span> <span class="legend-item"><span class="legend-interval">├─┤</span> ${formatShare(confidence, 3)} interval</span></figcaption>
</figure>`;
}
