/**
 * The local snapshot file: the last flags a client loaded, so another start can serve them while the database
 * is down. Written atomically (temp file + rename) with a SHA-256 checksum of its content, so a file edited by
 * hand, truncated or otherwise corrupted is refused rather than served. A file is also refused when it is dated
 * in the future (its age would read as zero) or older than the caller's maximum age.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { FlagConfig } from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core/internal';
import { InvalidSnapshotError, SnapshotFileError } from '../errors';
import {
  configsOf,
  documentChecksum,
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

// Clocks of one host step by a little (NTP); more than this in the future is not a clock detail.
const FUTURE_TOLERANCE_MS = 1000;

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
    await writeFile(temp, JSON.stringify({ ...doc, checksum: documentChecksum(doc) }));
    await rename(temp, path);
  } catch (caught) {
    await unlink(temp).catch(() => {});
    throw toError(caught);
  }
}

/** What a reader accepts. @internal */
export interface ReadSnapshotFileOptions {
  /** The current time in epoch ms. */
  readonly now: number;
  /** Refuse files written longer ago than this (ms). Default: any age. */
  readonly maxAgeMs?: number;
}

/**
 * Reads, verifies and validates a snapshot file. `undefined` when it does not exist; throws
 * `SnapshotFileError` naming the problem otherwise. @internal
 */
export async function readSnapshotFile(
  path: string,
  options: ReadSnapshotFileOptions,
): Promise<SnapshotFileContents | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (caught) {
    if ((caught as { code?: string }).code === 'ENOENT') return undefined;
    throw new SnapshotFileError(path, `cannot be read: ${toError(caught).message}`, { cause: caught });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (caught) {
    throw new SnapshotFileError(path, `is not JSON (partly written?): ${toError(caught).message}`, {
      cause: caught,
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SnapshotFileError(path, 'is not a snapshot document');
  }
  const { checksum, ...doc } = json as Record<string, unknown>;
  if (checksum === undefined) {
    throw new SnapshotFileError(
      path,
      'has no checksum (not written by this client); it is replaced after the next successful sync',
    );
  }
  if (checksum !== documentChecksum(doc)) {
    throw new SnapshotFileError(
      path,
      'checksum mismatch: the file was edited or corrupted after it was written',
    );
  }
  let parsed: SnapshotDocument;
  try {
    parsed = parseSnapshotDocument(doc);
  } catch (caught) {
    const problems =
      caught instanceof InvalidSnapshotError ? caught.problems.join('; ') : toError(caught).message;
    throw new SnapshotFileError(path, `is not a valid snapshot: ${problems}`, { cause: caught });
  }
  const savedAt = Date.parse(parsed.exported_at);
  if (savedAt > options.now + FUTURE_TOLERANCE_MS) {
    throw new SnapshotFileError(
      path,
      `exported_at ${parsed.exported_at} is in the future (clock skew or a copied file); its age would be wrong`,
    );
  }
  const ageMs = Math.max(0, options.now - savedAt);
  if (options.maxAgeMs !== undefined && ageMs > options.maxAgeMs) {
    throw new SnapshotFileError(
      path,
      `written ${Math.round(ageMs / 1000)} s ago (${parsed.exported_at}), older than maxSnapshotAgeMs (${options.maxAgeMs} ms)`,
    );
  }
  return { version: parsed.version, flags: configsOf(parsed), savedAt };
}
