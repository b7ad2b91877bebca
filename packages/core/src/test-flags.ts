import { BUCKETS, bucketOf, thresholdOf } from './bucket';
import { FlagNotFoundError, FlagsError } from './errors';
import { createFlagClient, type FlagClient } from './flag-client';
import { createMemorySource, type MemorySource } from './memory-source';
import type { FlagConfig } from './types';

/**
 * A flag in a test: `true`/`false` for on/off for everyone, or the fields to set.
 * Defaults: `enabled: true`, `rolloutPercentage: 100`, `allowlist: []`.
 */
export type TestFlagDefinition =
  | boolean
  | {
      readonly enabled?: boolean;
      readonly rolloutPercentage?: number;
      readonly allowlist?: readonly string[];
    };

/** Options of the subject finders. */
export interface FindSubjectsOptions {
  /** Prefix of the generated ids (`${prefix}${n}`). Default `'subject-'`. */
  readonly prefix?: string;
}

/** A real client over an in-memory source, for tests. Evaluates exactly as production does. */
export interface TestFlags extends FlagClient {
  /** The in-memory source behind the client. */
  readonly source: MemorySource;
  /** Changes a flag (fields not given keep their value; a new flag starts from the defaults). */
  set(key: string, definition: TestFlagDefinition): void;
  /** Removes a flag: evaluations then return the fallback (`FLAG_NOT_FOUND`). */
  remove(key: string): void;
  /** `count` ids that are inside the flag's rollout by bucket (not by allowlist). */
  subjectsIn(key: string, count: number, options?: FindSubjectsOptions): string[];
  /** `count` ids that are outside the flag's rollout and not allowlisted. */
  subjectsOut(key: string, count: number, options?: FindSubjectsOptions): string[];
}

const MAX_SCAN = 10_000_000;

function toConfig(key: string, definition: TestFlagDefinition, base?: FlagConfig): FlagConfig {
  const fields =
    typeof definition === 'boolean' ? { enabled: definition, rolloutPercentage: 100 } : definition;
  return {
    key,
    enabled: fields.enabled ?? base?.enabled ?? true,
    rolloutPercentage: fields.rolloutPercentage ?? base?.rolloutPercentage ?? 100,
    allowlist: fields.allowlist ?? base?.allowlist ?? [],
  };
}

/**
 * Creates a client for tests, backed by an in-memory source, with flags you can change mid-test.
 * Invalid definitions throw `InvalidFlagError`, as the store would refuse them.
 *
 * @example
 * const flags = createTestFlags({
 *   passenger_favorites_matching: { rolloutPercentage: 1, allowlist: ['passenger-vip'] },
 * });
 * const [inside] = flags.subjectsIn('passenger_favorites_matching', 1);
 * flags.isEnabled('passenger_favorites_matching', inside); // true
 * flags.set('passenger_favorites_matching', { rolloutPercentage: 0 }); // the rollback
 */
export function createTestFlags(definitions: Readonly<Record<string, TestFlagDefinition>> = {}): TestFlags {
  const source = createMemorySource(Object.entries(definitions).map(([key, def]) => toConfig(key, def)));
  const client = createFlagClient({ source });

  const find = (key: string, count: number, inside: boolean, prefix = 'subject-'): string[] => {
    const flag = source.current().flags.get(key);
    if (flag === undefined) throw new FlagNotFoundError(key, `No test flag "${key}"; define it first`);
    const threshold = thresholdOf(flag.rolloutPercentage);
    if (inside ? threshold === 0 : threshold >= BUCKETS) {
      throw new FlagsError(
        'NO_SUBJECTS',
        `No subject can be ${inside ? 'inside' : 'outside'} a ${flag.rolloutPercentage} % rollout of "${key}"`,
      );
    }
    const allowlist = new Set(flag.allowlist);
    const found: string[] = [];
    for (let n = 0; found.length < count && n < MAX_SCAN; n++) {
      const id = `${prefix}${n}`;
      if (!allowlist.has(id) && bucketOf(key, id) < threshold === inside) found.push(id);
    }
    return found;
  };

  return Object.assign(client, {
    source,
    set(key: string, definition: TestFlagDefinition) {
      source.set(toConfig(key, definition, source.current().flags.get(key)));
    },
    remove(key: string) {
      source.remove(key);
    },
    subjectsIn: (key: string, count: number, options?: FindSubjectsOptions) =>
      find(key, count, true, options?.prefix),
    subjectsOut: (key: string, count: number, options?: FindSubjectsOptions) =>
      find(key, count, false, options?.prefix),
  });
}
