import { FlagsError } from '@kaviar/flags-core';
import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-errors';
import { EXIT_CODE_HELP, EXIT_CODES, exitCodeForError } from './exit-codes';
import { formatTime } from './format-time';
import { maskSecrets } from './mask-secrets';
import { createPalette, shouldColor, stripAnsi } from './palette';
import { renderTable } from './render-table';

describe('output', () => {
  it('aligns tables, right-aligning numbers, ignoring colour codes in widths', () => {
    const c = createPalette(true);
    const lines = renderTable(
      [
        { key: 'a', n: 1, s: c.green('PASS') },
        { key: 'longer_key', n: 100, s: 'FAIL' },
      ],
      [
        { header: 'FLAG', cell: (r) => r.key },
        { header: 'N', cell: (r) => String(r.n), align: 'right' },
        { header: 'STATUS', cell: (r) => r.s },
      ],
    );
    expect(lines.map(stripAnsi)).toEqual([
      'FLAG          N  STATUS',
      'a             1  PASS',
      'longer_key  100  FAIL',
    ]);
  });

  it('colours only a TTY, and never with NO_COLOR', () => {
    expect(shouldColor(true, {})).toBe(true);
    expect(shouldColor(false, {})).toBe(false);
    expect(shouldColor(undefined, {})).toBe(false);
    expect(shouldColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(true, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(createPalette(false).red('x')).toBe('x');
    expect(createPalette(true).red('x')).toBe('\u001b[31mx\u001b[39m');
  });

  it('formats times in a zone with its offset', () => {
    const at = new Date('2026-02-03T22:05:09Z');
    expect(formatTime(at, 'America/Sao_Paulo')).toBe('2026-02-03 19:05:09 GMT-3');
    expect(formatTime(at, 'UTC')).toBe('2026-02-03 22:05:09 UTC');
    expect(formatTime(at, 'Asia/Kolkata')).toBe('2026-02-04 03:35:09 GMT+5:30');
  });

  it('masks passwords in URLs and key/value connection strings', () => {
    expect(maskSecrets('postgres://app:s3cr3t@db.internal:5432/kaviar')).toBe(
      'postgres://app:***@db.internal:5432/kaviar',
    );
    expect(maskSecrets('failed for postgresql://u:p%40ss@h/db?sslmode=require, retry')).toBe(
      'failed for postgresql://u:***@h/db?sslmode=require, retry',
    );
    expect(maskSecrets('host=db password=hunter2 user=app')).toBe('host=db password=*** user=app');
    // A raw `@` in the password: everything up to the last `@` before the host is the password.
    expect(maskSecrets('postgres://u:p@ss@h/db')).toBe('postgres://u:***@h/db');
    expect(maskSecrets('cannot reach postgres://app:a@b@c@db.internal:5432/kaviar?x=1 (timeout)')).toBe(
      'cannot reach postgres://app:***@db.internal:5432/kaviar?x=1 (timeout)',
    );
    expect(maskSecrets('postgres://postgres@127.0.0.1:5432/test')).toBe(
      'postgres://postgres@127.0.0.1:5432/test',
    );
  });

  it('maps error codes to documented exit codes; check exits 0-3, or 64 for a bad command line', () => {
    expect(exitCodeForError(new UsageError('x'))).toBe(64);
    expect(exitCodeForError(new FlagsError('CONFLICT', 'x'))).toBe(75);
    expect(exitCodeForError(new FlagsError('FLAG_NOT_FOUND', 'x'))).toBe(67);
    expect(exitCodeForError(new FlagsError('DB_UNAVAILABLE', 'x'))).toBe(69);
    expect(exitCodeForError(new FlagsError('SCHEMA_MISSING', 'x'))).toBe(78);
    expect(exitCodeForError(new FlagsError('CLOSED', 'x'))).toBe(70);
    expect(exitCodeForError(new FlagsError('WRITE_CONTENTION', 'x'))).toBe(75);
    expect(exitCodeForError(new FlagsError('WRITE_ABORTED', 'x'))).toBe(130);
    expect(exitCodeForError(new Error('boom'))).toBe(70);
    expect(exitCodeForError(new FlagsError('DB_AUTH', 'x'))).toBe(77);
    expect(exitCodeForError(new FlagsError('DB_CONFIG', 'x'))).toBe(78);
    expect(exitCodeForError(new FlagsError('NO_DATABASE', 'x'))).toBe(78);
    expect(exitCodeForError(new FlagsError('NOT_CONFIRMED', 'x'))).toBe(64);
    expect(exitCodeForError(new FlagsError('INTERRUPTED', 'x'))).toBe(130);
    expect(exitCodeForError(new UsageError('x'), 'check')).toBe(64);
    expect(exitCodeForError(new FlagsError('DB_AUTH', 'x'), 'check')).toBe(3);
    expect(exitCodeForError(new FlagsError('FLAG_NOT_FOUND', 'x'), 'check')).toBe(3);
    const documented = new Set(EXIT_CODE_HELP.map(([code]) => code));
    for (const code of Object.values(EXIT_CODES)) expect(documented.has(code), String(code)).toBe(true);
  });
});
