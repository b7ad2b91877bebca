/** Quotes `text` for a POSIX shell when it needs it. @internal */
export function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** `text` in a fenced code block whose fence is longer than any backtick run inside it. @internal */
export function fenced(text: string, info = ''): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${info}`, text, fence];
}
