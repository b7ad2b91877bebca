/**
 * One in-memory PGlite per test file. Starting PGlite runs initdb (about 4 s on a small machine), so the
 * first start dumps the fresh data directory to a cache file in the OS temp folder and later starts load
 * it (about 1 s). The cache is keyed by the PGlite version and written atomically (temp file + rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll } from 'vitest';

let instance: Promise<PGlite> | undefined;
let started: PGlite | undefined;

function cachePath(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return join(tmpdir(), `kaviar-flags-pglite-${version}.tar`);
}

async function start(): Promise<PGlite> {
  const path = cachePath();
  try {
    const tarball = readFileSync(path);
    return await PGlite.create({ loadDataDir: new Blob([tarball]) });
  } catch {
    // No cache yet (or a bad one): start from scratch and leave a cache for the next file.
  }
  const db = await PGlite.create('memory://');
  try {
    const dump = await db.dumpDataDir('none');
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, new Uint8Array(await dump.arrayBuffer()));
    renameSync(temp, path);
  } catch {
    // The cache only saves time.
  }
  return db;
}

/** The test file's PGlite instance, started on first use and closed after the file's tests. */
export function sharedPglite(): Promise<PGlite> {
  instance ??= start().then((db) => {
    started = db;
    return db;
  });
  return instance;
}

/** The instance if it has started (synchronous access for test contexts). */
export function currentPglite(): PGlite | undefined {
  return started;
}

afterAll(async () => {
  if (started && !started.closed) await started.close();
});
