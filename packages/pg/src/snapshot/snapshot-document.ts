/**
 * The JSON snapshot format, shared by `exportSnapshot`/`importSnapshot` and the source's local snapshot
 * file. Field names follow the ops snapshot (`rollout_percentage`, `created_at`, `updated_at`).
 * Parsing is strict: every problem is collected, unknown fields and duplicate keys are errors.
 */
import { createHash } from 'node:crypto';
import {
  FLAG_KEY_PATTERN,
  type FlagConfig,
  InvalidFlagError,
  parseRolloutPercentage,
  subjectIdProblem,
  textProblem,
} from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core/internal';
import { InvalidSnapshotError } from '../errors';

/** The `format` value of a version-1 snapshot document. */
export const SNAPSHOT_FORMAT = 'kaviar-flags.snapshot.v1';

/** One flag in a snapshot document. */
export interface SnapshotFlag {
  readonly key: string;
  readonly enabled: boolean;
  /** 0..100, at most two decimals. */
  readonly rollout_percentage: number;
  readonly description?: string;
  /** ISO 8601. */
  readonly created_at?: string;
  /** ISO 8601. */
  readonly updated_at?: string;
  readonly updated_by?: string;
  /** Store version of the flag's last change. */
  readonly version?: number;
  /** Subject ids. On import, a flag without `allowlist` keeps its current allowlist. */
  readonly allowlist?: readonly string[];
}

/** A whole-store snapshot: every flag with its allowlist, at one store version. */
export interface SnapshotDocument {
  readonly format: typeof SNAPSHOT_FORMAT;
  /** Store version the snapshot was taken at. */
  readonly version: number;
  /** ISO 8601 time the snapshot was taken. */
  readonly exported_at: string;
  /**
   * Where the snapshot was taken, for people: a database with any password masked and its schema
   * (`postgres://ops:***@db:5432/app, schema kaviar_flags`). Never a secret; optional.
   */
  readonly source?: string;
  readonly flags: readonly SnapshotFlag[];
}

const TOP_FIELDS = new Set(['format', 'version', 'exported_at', 'source', 'flags', 'checksum']);
const FLAG_FIELDS = new Set([
  'key',
  'enabled',
  'rollout_percentage',
  'description',
  'created_at',
  'updated_at',
  'updated_by',
  'version',
  'allowlist',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isIsoDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isVersion = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkFlag(flag: unknown, at: string, problems: string[]): void {
  if (!isObject(flag)) {
    problems.push(`${at} must be an object`);
    return;
  }
  for (const field of Object.keys(flag)) {
    if (!FLAG_FIELDS.has(field)) problems.push(`${at}.${field} is not a known field`);
  }
  if (typeof flag.key !== 'string' || !FLAG_KEY_PATTERN.test(flag.key)) {
    problems.push(`${at}.key must match ${FLAG_KEY_PATTERN}`);
  }
  if (typeof flag.enabled !== 'boolean') problems.push(`${at}.enabled must be true or false`);
  if (typeof flag.rollout_percentage !== 'number') {
    problems.push(`${at}.rollout_percentage must be a number from 0 to 100`);
  } else {
    try {
      parseRolloutPercentage(flag.rollout_percentage, `${at}.rollout_percentage`);
    } catch (error) {
      problems.push(
        error instanceof InvalidFlagError
          ? `${error.field} ${error.problem}`
          : `${at}.rollout_percentage ${toError(error).message}`,
      );
    }
  }
  if (flag.description !== undefined) {
    const problem = typeof flag.description === 'string' ? textProblem(flag.description) : 'must be a string';
    if (problem !== undefined) problems.push(`${at}.description ${problem}`);
  }
  if (flag.updated_by !== undefined && typeof flag.updated_by !== 'string') {
    problems.push(`${at}.updated_by must be a string`);
  }
  for (const field of ['created_at', 'updated_at'] as const) {
    if (flag[field] !== undefined && !isIsoDate(flag[field]))
      problems.push(`${at}.${field} must be an ISO date`);
  }
  if (flag.version !== undefined && !isVersion(flag.version)) {
    problems.push(`${at}.version must be a non-negative integer`);
  }
  if (flag.allowlist !== undefined) {
    if (!Array.isArray(flag.allowlist)) {
      problems.push(`${at}.allowlist must be an array of subject ids`);
    } else {
      const bad = flag.allowlist.findIndex((id) => subjectIdProblem(id) !== undefined);
      if (bad >= 0) problems.push(`${at}.allowlist[${bad}] ${subjectIdProblem(flag.allowlist[bad])}`);
    }
  }
}

/**
 * The checksum a document carries when a client writes it as its snapshot file: SHA-256 of the document's
 * JSON without the `checksum` field. @internal
 */
export function documentChecksum(doc: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(doc)).digest('hex')}`;
}

/**
 * Validates an untrusted value (parsed JSON) as a snapshot document. Throws `InvalidSnapshotError`
 * listing every problem: wrong types, out-of-range rollouts, duplicate keys, unknown fields, and a
 * `checksum` (present in a client's snapshot file) that does not match the content. The document is
 * returned without its checksum.
 */
export function parseSnapshotDocument(value: unknown): SnapshotDocument {
  const problems: string[] = [];
  if (!isObject(value)) throw new InvalidSnapshotError(['the document must be a JSON object']);
  const { checksum, ...input } = value;
  if (checksum !== undefined && checksum !== documentChecksum(input)) {
    problems.push(
      'checksum does not match the content: the file was edited or corrupted after it was written',
    );
  }
  for (const field of Object.keys(value)) {
    if (!TOP_FIELDS.has(field)) problems.push(`${field} is not a known field`);
  }
  if (input.format !== SNAPSHOT_FORMAT) problems.push(`format must be "${SNAPSHOT_FORMAT}"`);
  if (!isVersion(input.version)) problems.push('version must be a non-negative integer');
  if (!isIsoDate(input.exported_at)) problems.push('exported_at must be an ISO date');
  if (input.source !== undefined) {
    const problem = typeof input.source === 'string' ? textProblem(input.source) : 'must be a string';
    if (problem !== undefined) problems.push(`source ${problem}`);
  }
  if (!Array.isArray(input.flags)) {
    problems.push('flags must be an array');
  } else {
    const seen = new Set<string>();
    input.flags.forEach((flag, i) => {
      checkFlag(flag, `flags[${i}]`, problems);
      const key = isObject(flag) ? flag.key : undefined;
      if (typeof key === 'string') {
        if (seen.has(key)) problems.push(`flags[${i}].key ${JSON.stringify(key)} is a duplicate`);
        seen.add(key);
      }
    });
  }
  if (problems.length > 0) throw new InvalidSnapshotError(problems);
  return input as unknown as SnapshotDocument;
}

/** Turns a validated document's flags into evaluator configs. @internal */
export function configsOf(doc: SnapshotDocument): Map<string, FlagConfig> {
  return new Map(
    doc.flags.map((f) => [
      f.key,
      {
        key: f.key,
        enabled: f.enabled,
        rolloutPercentage: f.rollout_percentage,
        allowlist: [...new Set(f.allowlist ?? [])],
        ...(f.version !== undefined && { version: f.version }),
        ...(f.updated_at !== undefined && { updatedAt: new Date(f.updated_at) }),
        ...(f.description !== undefined && { description: f.description }),
      } satisfies FlagConfig,
    ]),
  );
}

/** Builds a document from evaluator configs (the source's snapshot file). @internal */
export function documentOf(version: number, flags: Iterable<FlagConfig>, exportedAt: Date): SnapshotDocument {
  return {
    format: SNAPSHOT_FORMAT,
    version,
    exported_at: exportedAt.toISOString(),
    flags: [...flags]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((f) => ({
        key: f.key,
        enabled: f.enabled,
        rollout_percentage: f.rolloutPercentage,
        description: f.description ?? '',
        ...(f.updatedAt !== undefined && { updated_at: f.updatedAt.toISOString() }),
        ...(f.version !== undefined && { version: f.version }),
        allowlist: [...f.allowlist],
      })),
  };
}
