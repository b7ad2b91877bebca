import { formatShare } from '@kaviar/flags-core/internal';
import { html, type SafeHtml } from './html';

/** `2026-02-03 10:26:03 UTC`: what a page shows before the browser's script puts it in local time. */
export function utcText(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 19)} UTC`;
}

/**
 * A `<time>` element: UTC text on the server, the browser's zone once the script runs, UTC always
 * on hover (`title`). @internal
 */
export function timeTag(at: Date | null | undefined): SafeHtml {
  if (!at) return html`<span class="muted">never</span>`;
  const iso = at.toISOString();
  return html`<time datetime="${iso}" title="${utcText(at)}">${utcText(at)}</time>`;
}

/** `3.2 %` for a share in 0..1, with enough digits for small rollouts. @internal */
export function sharePercent(share: number): string {
  const digits = share !== 0 && Math.abs(share * 100) < 10 ? 2 : 1;
  return formatShare(share, digits);
}

const STATUS_MARKS: Readonly<Record<string, string>> = {
  PASS: '✓',
  WARN: '!',
  FAIL: '✕',
  UNKNOWN: '?',
  SKIP: '–',
};

/** A verdict as a badge: a mark and the word beside the colour, never colour alone. @internal */
export function statusBadge(status: string | undefined): SafeHtml {
  if (!status) return html`<span class="muted">none</span>`;
  const known = status in STATUS_MARKS ? status : 'UNKNOWN';
  return html`<span class="badge status-${known.toLowerCase()}"><span aria-hidden="true">${STATUS_MARKS[known]}</span> ${status}</span>`;
}
