/**
 * HTML built from tagged templates that escape every interpolated value: operator-typed text (flag
 * keys, reasons, actors, phases, labels, instance names, error messages) can never become markup.
 * Only values that are already `SafeHtml` (built by `html` itself) pass through as they are.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Markup produced by {@link html}; the only thing that is interpolated unescaped. @internal */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Escapes text for an element body or a quoted attribute value. @internal */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

/**
 * `html\`<td>${flag.key}</td>\``: escapes each value; arrays are joined; `undefined`, `null` and
 * `false` render nothing. @internal
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup from this package's own code (never from data). @internal */
export function raw(text: string): SafeHtml {
  return new SafeHtml(text);
}
