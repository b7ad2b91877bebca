import { formatTime } from './format-time';
import { maskSecrets } from './mask-secrets';
import { createPalette, type Palette, shouldColor } from './palette';
import { type Column, renderTable } from './render-table';

/** A stream the CLI writes to: `process.stdout` or a test buffer. */
export interface TextSink {
  write(text: string): unknown;
  /** `true` when the stream is a terminal (enables colour and progress lines). */
  readonly isTTY?: boolean;
}

/** What the commands print through: results on stdout, notices and progress on stderr. */
export interface Printer {
  /** Styling; plain when colour is off. */
  readonly color: Palette;
  /** `--json`: commands print one JSON document on stdout and nothing else there. */
  readonly json: boolean;
  /** The IANA time zone times are shown in. */
  readonly timeZone: string;
  /** Prints a result line on stdout. */
  line(text?: string): void;
  /** Prints `value` as pretty JSON on stdout. */
  printJson(value: unknown): void;
  /** Prints an aligned table on stdout. */
  table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): void;
  /** Prints a notice on stderr (never mixed into `--json` output). */
  notice(text: string): void;
  /**
   * Shows a progress line on stderr that the next call overwrites, only on a terminal;
   * `progress(undefined)` ends it. No-op when stderr is not a TTY.
   */
  progress(text: string | undefined): void;
  /** An instant in the chosen time zone. */
  time(date: Date | string | null | undefined): string;
}

/** How a printer is created. */
export interface PrinterOptions {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly json: boolean;
  readonly timeZone: string;
  /** `--dry-run`: JSON objects printed get `"dryRun": true`. */
  readonly dryRun?: boolean;
}

/** Creates the printer for one command run. Every line goes through `maskSecrets`. */
export function createPrinter(options: PrinterOptions): Printer {
  const { stdout, stderr, json, timeZone } = options;
  const color = createPalette(shouldColor(stdout.isTTY, options.env));
  const errColor = shouldColor(stderr.isTTY, options.env);
  let progressShown = false;
  const endProgress = () => {
    if (progressShown) stderr.write('\r\u001b[2K');
    progressShown = false;
  };
  return {
    color,
    json,
    timeZone,
    line(text = '') {
      stdout.write(`${maskSecrets(text)}\n`);
    },
    printJson(value) {
      const marked =
        options.dryRun && value !== null && typeof value === 'object' && !Array.isArray(value)
          ? { dryRun: true, ...value }
          : value;
      stdout.write(`${JSON.stringify(marked, null, 2)}\n`);
    },
    table(rows, columns) {
      for (const row of renderTable(rows, columns, color.bold)) stdout.write(`${maskSecrets(row)}\n`);
    },
    notice(text) {
      endProgress();
      stderr.write(`${maskSecrets(errColor ? `\u001b[2m${text}\u001b[22m` : text)}\n`);
    },
    progress(text) {
      if (stderr.isTTY !== true) return;
      if (text === undefined) return endProgress();
      stderr.write(`\r\u001b[2K${maskSecrets(text)}`);
      progressShown = true;
    },
    time(date) {
      if (date === null || date === undefined) return '-';
      const value = typeof date === 'string' ? new Date(date) : date;
      return Number.isNaN(value.getTime()) ? String(date) : formatTime(value, timeZone);
    },
  };
}
