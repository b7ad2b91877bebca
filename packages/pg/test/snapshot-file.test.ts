/**
 * The local snapshot file tells the truth: a file edited by hand, partly written, dated in the future or older
 * than `maxSnapshotAgeMs` is refused, never served, and when the database cannot be read either, `ready()`'s
 * error and `status().lastError` name the file's problem as well as the database's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeoutError } from '@kaviar/flags-core';
import { afterAll, describe, expect, it } from 'vitest';
import { guardLeaks } from '../../../test/support/leaks';
import { createPgFlags, DatabaseUnavailableError, type PgFlagsClient, SnapshotFileError } from '../src/index';
import { writeSnapshotFile } from '../src/source/snapshot-file';

guardLeaks();

const dir = mkdtempSync(join(tmpdir(), 'kaviar-flags-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flag = { key: 'file.flag', enabled: true, rolloutPercentage: 10, allowlist: ['vip'], version: 3 };
const refused = 'postgres://postgres@127.0.0.1:1/none';
let n = 0;

async function fileWith(savedAt = new Date(Date.now() - 60_000)): Promise<string> {
  const path = join(dir, `snapshot-${n++}.json`);
  await writeSnapshotFile(path, 3, [flag], savedAt);
  return path;
}

/** A client whose database refuses connections, so only the file could serve. */
async function offline(snapshotFile: string, extra: object = {}) {
  const client: PgFlagsClient = createPgFlags({
    connectionString: refused,
    snapshotFile,
    heartbeat: false,
    countExposures: false,
    pollIntervalMs: 60_000,
    ...extra,
  });
  const outcome = await client.ready({ timeoutMs: 1500 }).then(
    (ready) => ({ ready, error: undefined }),
    (error: unknown) => ({ ready: undefined, error: error as Error }),
  );
  return { client, ...outcome };
}

async function expectRefused(path: string, problem: RegExp, extra: object = {}) {
  const { client, ready, error } = await offline(path, extra);
  try {
    expect(ready).toBeUndefined();
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error?.message).toMatch(problem);
    expect(error?.message).toMatch(/database could not be read either: Database unavailable/);
    const lastError = client.status().lastError;
    expect(lastError).toBeInstanceOf(SnapshotFileError);
    expect(lastError).toMatchObject({ code: 'SNAPSHOT_FILE_REFUSED', path });
    expect(lastError?.message).toMatch(problem);
    expect((lastError as SnapshotFileError).databaseError).toBeInstanceOf(DatabaseUnavailableError);
    expect(lastError?.message).not.toMatch(/nothing was written/);
    // Not served: the caller's fallback, not the file's values.
    expect(client.isEnabled('file.flag', 'vip', false)).toBe(false);
    expect(client.evaluate('file.flag', 'vip').reason).toBe('NOT_READY');
  } finally {
    await client.close();
  }
}

describe('snapshot file', () => {
  it('a file as written is served (the control for the refusals below)', async () => {
    const path = await fileWith();
    const { client, ready } = await offline(path);
    try {
      expect(ready).toMatchObject({ origin: 'snapshot-file', version: 3 });
      expect(client.isEnabled('file.flag', 'vip')).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a hand-edited rollout is detected by the checksum and refused', async () => {
    const path = await fileWith();
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.flags[0].rollout_percentage = 100;
    writeFileSync(path, JSON.stringify(doc, null, 2));
    await expectRefused(path, /checksum mismatch: the file was edited or corrupted/);
  });

  it('a partly written (truncated) file is refused', async () => {
    const path = await fileWith();
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
    await expectRefused(path, /is not JSON \(partly written\?\)/);
  });

  it('a file without a checksum is refused', async () => {
    const path = await fileWith();
    const { checksum: _, ...doc } = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify(doc));
    await expectRefused(path, /has no checksum/);
  });

  it('a file dated in the future is refused (its age would read 0)', async () => {
    const path = await fileWith(new Date(Date.now() + 3_600_000));
    await expectRefused(path, /exported_at \S+ is in the future/);
  });

  it('a file older than maxSnapshotAgeMs is refused; a younger one is served with its age', async () => {
    const path = await fileWith(new Date(Date.now() - 2 * 3_600_000));
    await expectRefused(path, /written 7200 s ago .*older than maxSnapshotAgeMs \(3600000 ms\)/, {
      maxSnapshotAgeMs: 3_600_000,
    });
    const { client, ready } = await offline(path, { maxSnapshotAgeMs: 3 * 3_600_000 });
    try {
      expect(ready?.origin).toBe('snapshot-file');
      expect(ready?.ageMs).toBeGreaterThanOrEqual(2 * 3_600_000);
    } finally {
      await client.close();
    }
  });

  it('the refusal is logged once, naming the file and the problem', async () => {
    const path = await fileWith();
    writeFileSync(path, '{"format":');
    const warnings: string[] = [];
    const { client } = await offline(path, { logger: { warn: (m: string) => warnings.push(m) } });
    await client.close();
    expect(warnings.filter((w) => w.includes(path))).toEqual([
      expect.stringMatching(/Snapshot file .* not served: is not JSON/),
    ]);
  });
});
