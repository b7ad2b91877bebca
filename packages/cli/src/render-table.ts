import { stripAnsi } from './palette';

/** One column of a table: its header, how to get the cell text, and its alignment. */
export interface Column<Row> {
  /** Header text. */
  readonly header: string;
  /** The cell text for a row (may contain colour codes; widths ignore them). */
  readonly cell: (row: Row) => string;
  /** `right` for numbers. Default `left`. */
  readonly align?: 'left' | 'right';
}

/**
 * Renders rows as an aligned plain-text table: a header line, then one line per row, columns
 * separated by two spaces, trailing spaces trimmed. Returns the lines (no trailing newline).
 *
 * @example
 * renderTable([{ key: 'a', n: 1 }], [{ header: 'KEY', cell: (r) => r.key }, { header: 'N', cell: (r) => String(r.n), align: 'right' }]);
 */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  styleHeader: (text: string) => string = (text) => text,
): string[] {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => stripAnsi(line[i] ?? '').length)),
  );
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, (widths[i] ?? 0) - stripAnsi(text).length));
    return columns[i]?.align === 'right' ? gap + text : text + gap;
  };
  const header = columns
    .map((column, i) => pad(column.header, i))
    .join('  ')
    .trimEnd();
  return [styleHeader(header), ...cells.map((line) => line.map(pad).join('  ').trimEnd())];
}
