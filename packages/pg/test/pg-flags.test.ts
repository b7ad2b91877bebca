import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TimeoutError } from '@kaviar/flags-core';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachDatabase, randomSchema } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  addToAllowlist,
  createFlag,
  createPgFlags,
  DatabaseUnavailableError,
  deleteFlag,
  migrate,
  openDb,
  removeFromAllowlist,
  SchemaMissingError,
  updateFlag,
} from '../src/index';
import { writeSnapshotFile } from '../src/source/snapshot-file';
import { testClients, whenChanged } from './support/clients';

guardLeaks();

const actor = { actor: 'test' };
const dir = mkdtempSync(join(tmpdir(), 'kaviar-flags-pg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

forEachDatabase((getDb, ctx) => {
  const open = testClients(() => ctx.openOptions());

  it('loads every flag with its allowlist and evaluates', async () => {
    const db = getDb();
    await createFlag(db, { key: 'src.on', enabled: true, rolloutPercentage: 100 }, actor);
    await createFlag(db, { key: 'src.off', enabled: false, rolloutPercentage: 100 }, actor);
    await createFlag(db, { key: 'src.allow', enabled: true, rolloutPercentage: 0 }, actor);
    await addToAllowlist(db, 'src.allow', ['p-1', 'p-2'], actor);
    const client = open({ pollIntervalMs: 60_000 });
    const ready = await client.ready({ timeoutMs: 10_000 });
    expect(ready.origin).toBe('database');
    expect(client.status()).toMatchObject({ state: 'ready', origin: 'database', stale: false });
    expect(client.isEnabled('src.on', 'anyone')).toBe(true);
    expect(client.isEnabled('src.off', 'anyone', true)).toBe(false);
    expect(client.isEnabled('src.allow', 'p-2')).toBe(true);
    expect(client.isEnabled('src.allow', 'p-3')).toBe(false);
    expect(client.isEnabled('src.missing', 'p-3', true)).toBe(true);
    expect(client.evaluate('src.allow', { id: 'p-1' })).toMatchObject({ enabled: true, reason: 'ALLOWLIST' });
    expect(client.snapshot()?.flags.get('src.allow')?.allowlist).toEqual(
      expect.arrayContaining(['p-1', 'p-2']),
    );
  });

  it('sees changes through LISTEN/NOTIFY without waiting for a poll', async () => {
    const db = getDb();
    await createFlag(db, { key: 'src.notify', enabled: true, rolloutPercentage: 0 }, actor);
    const client = open({ pollIntervalMs: 60_000, listen: true });
    await client.ready({ timeoutMs: 10_000 });
    await whenChanged(client, () => client.snapshot()?.flags.has('src.notify') ?? false);
    const seen = whenChanged(client, () => client.isEnabled('src.notify', 'x'));
    await updateFlag(db, 'src.notify', { rolloutPercentage: 100 }, actor);
    await seen;
    const removed = whenChanged(client, () => !client.snapshot()?.flags.has('src.notify'));
    await deleteFlag(db, 'src.notify', actor);
    await removed;
    expect(client.isEnabled('src.notify', 'x', true)).toBe(true);
  });

  it('poll-only sees incremental changes: rollout, allowlist add/remove, delete, re-create', async () => {
    const db = getDb();
    await createFlag(db, { key: 'src.poll', enabled: true, rolloutPercentage: 0 }, actor);
    const client = open({ pollIntervalMs: 50, listen: false });
    await client.ready({ timeoutMs: 10_000 });
    await addToAllowlist(db, 'src.poll', ['a', 'b', 'c'], actor);
    await whenChanged(client, () => client.isEnabled('src.poll', 'c'));
    await removeFromAllowlist(db, 'src.poll', ['c'], actor);
    await whenChanged(client, () => !client.isEnabled('src.poll', 'c'));
    expect(client.isEnabled('src.poll', 'a')).toBe(true);
    await deleteFlag(db, 'src.poll', actor);
    await createFlag(db, { key: 'src.poll', enabled: true, rolloutPercentage: 0 }, actor);
    await addToAllowlist(db, 'src.poll', ['z'], actor);
    await whenChanged(client, () => client.isEnabled('src.poll', 'z'));
    expect(client.snapshot()?.flags.get('src.poll')?.allowlist).toEqual(['z']);
  });

  it('writes a snapshot file that lets another instance start while the database is down', async () => {
    const db = getDb();
    await createFlag(db, { key: 'src.file', enabled: true, rolloutPercentage: 100 }, actor);
    const snapshotFile = join(dir, `${ctx.kind}.json`);
    const writer = open({ pollIntervalMs: 60_000, snapshotFile });
    await writer.ready({ timeoutMs: 10_000 });
    await expect.poll(() => readFileSync(snapshotFile, 'utf8'), { timeout: 5000 }).toContain('src.file');
    const errors: Error[] = [];
    const offline = createPgFlags({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      schema: ctx.schema(),
      snapshotFile,
      heartbeat: false,
      pollIntervalMs: 60_000,
    });
    open.add(offline);
    offline.on('error', (e) => errors.push(e.error));
    const ready = await offline.ready({ timeoutMs: 10_000 });
    expect(ready.origin).toBe('snapshot-file');
    expect(offline.status()).toMatchObject({ state: 'stale', origin: 'snapshot-file', stale: true });
    // The file is read in parallel with the first connect, so the refusal may come after ready().
    await expect
      .poll(() => offline.status().lastError, { timeout: 5000 })
      .toBeInstanceOf(DatabaseUnavailableError);
    expect(errors[0]).toBeInstanceOf(DatabaseUnavailableError);
    expect(offline.isEnabled('src.file', 'x')).toBe(true);
    expect(offline.evaluate('src.file', 'x')).toMatchObject({ enabled: true, stale: true });
  });

  it('ready() on a schema that was never migrated rejects at once with SCHEMA_MISSING, and resolves once migrated', async () => {
    const schema = randomSchema('never');
    const client = open({ ...ctx.openOptions(), schema, pollIntervalMs: 100, retryMinMs: 50 });
    // Waiting out the timeout would reject with a TimeoutError, and only after the test's own timeout.
    const error = await client.ready({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMissingError);
    expect(error).toMatchObject({ code: 'SCHEMA_MISSING' });
    expect((error as Error).message).toContain(`"${schema}"`);
    expect(client.status().lastError).toBeInstanceOf(SchemaMissingError);
    // Asked again while still missing: at once again. Once migrated, the client loads on its next poll.
    await expect(client.ready({ timeoutMs: 60_000 })).rejects.toBeInstanceOf(SchemaMissingError);
    const migrated = await openDb({ ...ctx.openOptions(), schema });
    try {
      await migrate(migrated);
      await expect.poll(() => client.status().state, { timeout: 10_000 }).toBe('ready');
      await expect(client.ready({ timeoutMs: 10_000 })).resolves.toMatchObject({ origin: 'database' });
      expect(client.status().lastError).toBeUndefined();
    } finally {
      await migrated.exec(`drop schema if exists ${migrated.ident} cascade`);
      await migrated.close();
    }
  });

  it('resolves ready() with database data when the database answers, even with a snapshot file', async () => {
    const db = getDb();
    await createFlag(db, { key: 'src.file-fresh', enabled: true, rolloutPercentage: 100 }, actor);
    const snapshotFile = join(dir, `${ctx.kind}-fresh.json`);
    // An old file, read long before the database answers.
    await writeSnapshotFile(snapshotFile, 1, [], new Date(Date.now() - 3_600_000));
    const client = open({ pollIntervalMs: 60_000, snapshotFile });
    const ready = await client.ready({ timeoutMs: 10_000 });
    expect(ready.origin).toBe('database');
    expect(client.isEnabled('src.file-fresh', 'x')).toBe(true);
    expect(client.status()).toMatchObject({ state: 'ready', origin: 'database', stale: false });
  });
});

/** Runs `script` with `node --import tsx` from the repository root (for its tsconfig paths). */
function runScript(script: string, args: string[], timeoutMs: number) {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      timeout: timeoutMs,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}

describe('without a database', () => {
  it('serves the snapshot file promptly while the database hangs (accepts, never answers)', async () => {
    const sockets = new Set<Socket>();
    const hanging = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as AddressInfo;
    const snapshotFile = join(dir, 'hanging.json');
    const savedAt = new Date(Date.now() - 60_000);
    await writeSnapshotFile(
      snapshotFile,
      7,
      [{ key: 'file.on', enabled: true, rolloutPercentage: 100, allowlist: [], version: 7 }],
      savedAt,
    );
    // The connect timeout is far longer than this ready timeout: only the file can make it, served at once
    // and handed to ready() when its timeout is up.
    const client = createPgFlags({
      connectionString: `postgres://postgres@127.0.0.1:${port}/none`,
      connectTimeoutMs: 60_000,
      snapshotFile,
      heartbeat: false,
      countExposures: false,
    });
    try {
      let readySettled = false;
      const ready = client.ready({ timeoutMs: 3000 }).finally(() => {
        readySettled = true;
      });
      // Served at once: before ready() settles, which it does only when its timeout is up, as nothing
      // answers or fails meanwhile (a file never wins ready() while the database may still answer).
      await whenChanged(client, () => client.isEnabled('file.on', 'x'));
      expect(readySettled).toBe(false);
      const result = await ready;
      expect(result).toMatchObject({ origin: 'snapshot-file', version: 7 });
      expect(result.ageMs).toBeGreaterThanOrEqual(60_000);
      // Still no answer and no failure: it was ready()'s timeout that settled it.
      expect(client.status().lastError).toBeUndefined();
      // The database connect is under way and hanging (it may reach the server just after the file).
      await expect.poll(() => sockets.size, { timeout: 2000 }).toBeGreaterThan(0);
      expect(client.status().origin).toBe('snapshot-file');
      expect(client.status()).toMatchObject({ state: 'stale', origin: 'snapshot-file', stale: true });
      expect(client.evaluate('file.on', 'x')).toMatchObject({ enabled: true, stale: true });
      expect(client.evaluate('file.on', 'x').ageMs).toBeGreaterThanOrEqual(60_000);
    } finally {
      for (const socket of sockets) socket.destroy(); // ends the hanging connect, so close() is quick
      await client.close();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });

  // In a child process: vitest's own handles would keep this process alive and hide the bug.
  it('a script awaiting ready({ timeoutMs }) against a refused port fails with TimeoutError, not a silent exit', async () => {
    const script = fileURLToPath(new URL('./fixtures/ready-timeout.ts', import.meta.url));
    const run = await runScript(script, ['postgres://postgres@127.0.0.1:1/none', '1000'], 15_000);
    expect(run.output).toMatch(/TimeoutError: No flags loaded within 1000 ms: Database unavailable/);
    expect(run.output).toContain("code: 'TIMEOUT'");
    expect(run.output).not.toContain('unsettled top-level await');
    // Exit code 1 from the uncaught rejection: not killed at 15 s, not a silent exit.
    expect(run.exitCode).toBe(1);
  });

  it('ready() times out clearly, and resolves as defaults when asked to', async () => {
    const offline = createPgFlags({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      heartbeat: false,
    });
    const error = await offline.ready({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/No flags loaded within 300 ms: Database unavailable/);
    expect(offline.isEnabled('any', 'x', true)).toBe(true);
    expect(offline.evaluate('any', 'x').reason).toBe('NOT_READY');
    await offline.close();
    await offline.close();
    const defaults = createPgFlags({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      heartbeat: false,
      readyTimeout: 'defaults',
    });
    expect(await defaults.ready({ timeoutMs: 100 })).toEqual({ origin: 'defaults', version: 0, ageMs: 0 });
    await defaults.close();
  });
});
