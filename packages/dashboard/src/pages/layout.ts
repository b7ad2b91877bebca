import { ASSETS } from '../assets.generated';
import { timeTag } from '../format';
import { html, type SafeHtml } from '../html';

/** What every page shares. @internal */
export interface PageContext {
  /** Where the dashboard is mounted (`''` or `/ops/flags`), for links. */
  readonly base: string;
  /** The Postgres schema shown in the footer (never a connection string). */
  readonly schema: string;
  /** When the data was read. */
  readonly renderedAt: Date;
}

const asset = (ctx: PageContext, name: string) => `${ctx.base}/assets/${name}?v=${ASSETS[name]?.hash ?? ''}`;

/** The page around `body`. @internal */
export function layout(
  ctx: PageContext,
  page: { title: string; nav: 'flags' | 'checkpoints' | 'none'; body: SafeHtml },
): SafeHtml {
  const current = (name: string) => (page.nav === name ? html` aria-current="page"` : '');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${page.title} · kaviar flags</title>
<link rel="icon" type="image/svg+xml" href="${asset(ctx, 'favicon.svg')}">
<link rel="stylesheet" href="${asset(ctx, 'dashboard.css')}">
<script src="${asset(ctx, 'dashboard.js')}" defer></script>
</head>
<body data-base="${ctx.base}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="${ctx.base}/"><span class="brand-mark" aria-hidden="true">◐</span> kaviar flags</a>
<nav aria-label="Pages">
<a href="${ctx.base}/"${current('flags')}>Flags</a>
<a href="${ctx.base}/checkpoints"${current('checkpoints')}>Checkpoints</a>
</nav>
<p class="freshness" id="freshness" role="status" aria-live="polite" data-rendered="${ctx.renderedAt.toISOString()}"><span class="dot" aria-hidden="true"></span> <span class="freshness-text">As of ${timeTag(ctx.renderedAt)}</span></p>
</header>
<main id="main" tabindex="-1">
${page.body}
</main>
<footer class="foot">Read-only view of schema <code>${ctx.schema}</code>. Changes go through the audited CLI and API.</footer>
</body>
</html>
`;
}
