import { InvalidFlagError } from './errors';
import type { FlagConfig } from './types';

/** What a flag key must look like: lowercase letters, digits, `_`, `.`, `-`; 1..128 characters. */
export const FLAG_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,127}$/;

/** Returns `key` if it is a valid flag key, else throws `InvalidFlagError` (field `key`). */
export function parseFlagKey(key: unknown): string {
  if (typeof key !== 'string' || !FLAG_KEY_PATTERN.test(key)) {
    throw new InvalidFlagError(
      'key',
      key,
      `must match ${FLAG_KEY_PATTERN} (lowercase letters, digits, _ . -)`,
    );
  }
  return key;
}

const PLAIN_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Returns a rollout percentage as a number if it is finite, within 0..100 and has at most two
 * decimals; plain decimal strings (`"1.5"`, not `"0x10"` or `"1e1"`) are accepted. Throws `InvalidFlagError` otherwise.
 */
export function parseRolloutPercentage(value: unknown, field = 'rolloutPercentage'): number {
  // Strings must be plain decimals: Number() would also take "0x10", "1e1" and "0b11".
  const n =
    typeof value === 'string' ? (PLAIN_DECIMAL.test(value.trim()) ? Number(value) : Number.NaN) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new InvalidFlagError(field, value, 'must be a number from 0 to 100');
  }
  if (n < 0 || n > 100) throw new InvalidFlagError(field, value, 'must be between 0 and 100');
  // Two decimals at most: 0.01 % is one bucket. The tolerance absorbs binary float noise (0.29 * 100).
  if (Math.abs(n * 100 - Math.round(n * 100)) > 1e-6) {
    throw new InvalidFlagError(field, value, 'must have at most two decimals (0.01 % steps)');
  }
  return Math.round(n * 100) / 100;
}

function pick(input: Record<string, unknown>, camel: string, snake: string): unknown {
  return input[camel] !== undefined ? input[camel] : input[snake];
}

function parseDate(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new InvalidFlagError(field, value, 'must be an ISO date string');
  }
  return date;
}

/**
 * Validates plain data into a `FlagConfig`. Accepts camelCase and the store's snake_case field names
 * (`rollout_percentage`, `updated_at`), as in the ops snapshot's JSON. A missing allowlist is empty.
 * Throws `InvalidFlagError` naming the field and the bad value.
 *
 * @example
 * parseFlag({ key: 'passenger_favorites_matching', enabled: true, rollout_percentage: 1 });
 */
export function parseFlag(input: unknown): FlagConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidFlagError('flag', input, 'must be an object');
  }
  const raw = input as Record<string, unknown>;
  const key = parseFlagKey(raw.key);
  if (typeof raw.enabled !== 'boolean')
    throw new InvalidFlagError('enabled', raw.enabled, 'must be true or false');
  const rolloutPercentage = parseRolloutPercentage(
    pick(raw, 'rolloutPercentage', 'rollout_percentage'),
    raw.rolloutPercentage !== undefined ? 'rolloutPercentage' : 'rollout_percentage',
  );
  const allowlist = raw.allowlist ?? [];
  if (!Array.isArray(allowlist))
    throw new InvalidFlagError('allowlist', allowlist, 'must be an array of ids');
  allowlist.forEach((id, i) => {
    if (typeof id !== 'string' || id === '') {
      throw new InvalidFlagError(`allowlist[${i}]`, id, 'must be a non-empty string');
    }
  });
  const version = raw.version;
  if (
    version !== undefined &&
    (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
  ) {
    throw new InvalidFlagError('version', version, 'must be a non-negative integer');
  }
  const description = raw.description;
  if (description !== undefined && typeof description !== 'string') {
    throw new InvalidFlagError('description', description, 'must be a string');
  }
  const updatedAt = parseDate(pick(raw, 'updatedAt', 'updated_at'), 'updatedAt');
  return {
    key,
    enabled: raw.enabled,
    rolloutPercentage,
    allowlist: [...new Set(allowlist as string[])],
    ...(version !== undefined && { version }),
    ...(updatedAt !== undefined && { updatedAt }),
    ...(description !== undefined && { description }),
  };
}
