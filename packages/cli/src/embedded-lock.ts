import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { DatabaseLockedError } from './cli-errors';

/*
 * PGlite is one process's database: two processes opening the same data directory corrupt it.
 * The lock is a file holding the owner's pid, created atomically (written to a temporary name, then
 * hard-linked into place, which fails if the lock exists), so nobody ever reads a half-written lock. A lock whose pid is no longer
 * running (a killed process) is stale and taken over; a live one makes the second process fail
 * with DB_LOCKED instead of waiting, so scripts see the problem at once.
 */

/** A held lock; `release()` removes the file (idempotent). */
export interface EmbeddedLock {
  readonly file: string;
  release(): void;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock file `file` for this process, or throws `DatabaseLockedError` when a running process
 * holds it. The file is also removed when the process exits normally.
 */
export function acquireEmbeddedLock(file: string): EmbeddedLock {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${process.pid}\n`);
  try {
    return takeLock(file, temp);
  } finally {
    unlinkSync(temp);
  }
}

function takeLock(file: string, temp: string): EmbeddedLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(temp, file);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        process.removeListener('exit', release);
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.on('exit', release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      if (owner !== undefined && (owner === process.pid || isRunning(owner))) {
        throw new DatabaseLockedError(file, owner);
      }
      // Stale: its owner is gone (or the file is unreadable garbage); take it over once.
      try {
        unlinkSync(file);
      } catch {
        // Another process removed it first; the retry decides who wins.
      }
    }
  }
  throw new DatabaseLockedError(file, readOwner(file));
}
