import { InvalidInputError } from './cli-errors';

/*
 * Allowlist files: either one id per line, or a CSV file and the column holding the ids
 * (`--column passenger_id` by header name, or `--column 2`, 1-based, for a file without a header).
 * Blank lines and `#` comments are skipped; ids are trimmed, must be 1..1024 characters, and
 * duplicates are dropped (and counted). Any bad line rejects the whole file, naming the line.
 */

/** The ids read from a file. */
export interface IdsFile {
  /** Unique ids, in file order. */
  readonly ids: string[];
  /** Repeated ids that were dropped. */
  readonly duplicates: number;
}

/** How to read the file. */
export interface ParseIdsOptions {
  /** CSV column holding the ids: a header name, or a 1-based number (then there is no header). */
  readonly column?: string;
}

const MAX_ID_LENGTH = 1024;

/** Splits one CSV record (RFC 4180 quoting; `""` is a quote inside a quoted field). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw new InvalidInputError('unterminated quoted field');
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** Parses an allowlist file's text. Throws `InvalidInputError` naming the first bad line. */
export function parseIdsFile(text: string, options: ParseIdsOptions = {}): IdsFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const seen = new Set<string>();
  let duplicates = 0;
  let columnIndex: number | undefined;
  let needHeader = false;
  if (options.column !== undefined) {
    if (/^\d+$/.test(options.column) && Number(options.column) >= 1) columnIndex = Number(options.column) - 1;
    else needHeader = true;
  }
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let id = line;
    if (options.column !== undefined) {
      let fields: string[];
      try {
        fields = splitCsvLine(line);
      } catch (error) {
        throw new InvalidInputError(`line ${lineNo}: ${(error as Error).message}`);
      }
      if (needHeader) {
        columnIndex = fields.indexOf(options.column);
        if (columnIndex < 0) {
          throw new InvalidInputError(
            `line ${lineNo}: no column named ${JSON.stringify(options.column)} in the header (${fields.join(', ')})`,
          );
        }
        needHeader = false;
        return;
      }
      const value = fields[columnIndex ?? 0];
      if (value === undefined)
        throw new InvalidInputError(`line ${lineNo}: has no column ${(columnIndex ?? 0) + 1}`);
      id = value;
    } else if (line.includes(',')) {
      throw new InvalidInputError(
        `line ${lineNo}: contains a comma; for a CSV file pass --column NAME (header) or --column N (1-based)`,
      );
    }
    if (id === '') throw new InvalidInputError(`line ${lineNo}: the id is empty`);
    if (id.length > MAX_ID_LENGTH)
      throw new InvalidInputError(`line ${lineNo}: the id is longer than ${MAX_ID_LENGTH} characters`);
    if (seen.has(id)) duplicates++;
    else seen.add(id);
  });
  if (seen.size === 0) throw new InvalidInputError('the file holds no ids');
  return { ids: [...seen], duplicates };
}
