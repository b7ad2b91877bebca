import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseLockedError } from './cli-errors';
import { acquireEmbeddedLock } from './embedded-lock';

describe('acquireEmbeddedLock', () => {
  it('holds the lock with this pid, refuses a second holder, and releases idempotently', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kaviar-lock-')), 'lock');
    const lock = acquireEmbeddedLock(file);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    expect(() => acquireEmbeddedLock(file)).toThrow(DatabaseLockedError);
    expect(() => acquireEmbeddedLock(file)).toThrow(`(pid ${process.pid})`);
    lock.release();
    lock.release();
    expect(existsSync(file)).toBe(false);
    acquireEmbeddedLock(file).release();
  });

  it('takes over a lock left by a process that is gone, and one holding garbage', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kaviar-lock-')), 'lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(file, `${gone}\n`);
    const lock = acquireEmbeddedLock(file);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    writeFileSync(file, 'not a pid');
    acquireEmbeddedLock(file).release();
    expect(existsSync(file)).toBe(false);
  });
});
