import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { FlagConfig } from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core';
import { InvalidSnapshotError } from '../errors';
import {
  configsOf,
  documentOf,
  parseSnapshotDocument,
  type SnapshotDocument,
} from '../snapshot/snapshot-document';

/** A snapshot file read back: its flags, version and when it was written. @internal */
export interface SnapshotFileContents {
  readonly version: number;
  readonly flags: Map<string, FlagConfig>;
  readonly savedAt: number;
}

/**
 * Writes the snapshot atomically: a temp file next to the target, then rename, so a reader (or a crash)
 * never sees half a file. @internal
 */
export async function writeSnapshotFile(
  path: string,
  version: number,
  flags: Iterable<FlagConfig>,
  savedAt: Date,
): Promise<void> {
  const doc: SnapshotDocument = documentOf(version, flags, savedAt);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(doc));
    await rename(temp, path);
  } catch (caught) {
    await unlink(temp).catch(() => {});
    throw toError(caught);
  }
}

/**
 * Reads and validates a snapshot file. `undefined` when it does not exist; throws `InvalidSnapshotError`
 * when it is not a valid snapshot. @internal
 */
export async function readSnapshotFile(path: string): Promise<SnapshotFileContents | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (caught) {
    if ((caught as { code?: string }).code === 'ENOENT') return undefined;
    throw toError(caught);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (caught) {
    throw new InvalidSnapshotError([`${path} is not JSON: ${toError(caught).message}`]);
  }
  const doc = parseSnapshotDocument(json);
  return { version: doc.version, flags: configsOf(doc), savedAt: Date.parse(doc.exported_at) };
}
