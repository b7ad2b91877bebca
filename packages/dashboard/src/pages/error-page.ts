import { html, type SafeHtml } from '../html';
import { layout, type PageContext } from './layout';

/** A read failed (database unreachable, schema missing): says so, with the error code only. @internal */
export function errorPage(ctx: PageContext, code: string): SafeHtml {
  const hint =
    code === 'SCHEMA_MISSING'
      ? html`The flags schema is not there: run <code>kaviar-flags migrate</code>.`
      : html`The flags database did not answer. The page retries when it is back.`;
  return layout(ctx, {
    title: 'Database unavailable',
    nav: 'none',
    body: html`<h1>Data unavailable</h1><p class="error-box" data-error="${code}"><span class="badge status-unknown"><span aria-hidden="true">?</span> ${code}</span> ${hint}</p>`,
  });
}
