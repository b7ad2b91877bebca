/**
 * The exact privileges of the three roles the store documents, as SQL. Invariants:
 * - One source: `migrations/grants.json` lists, for every table and sequence a migration creates, what each
 *   role may do (the build fails when a migration creates an object the file does not list).
 * - The output is exact: it first revokes everything the role holds on the schema's tables and sequences,
 *   then grants the listed privileges, so re-running it after an upgrade leaves precisely the documented
 *   set. Nothing outside the schema is touched (only `usage` on the schema itself).
 */
import { InvalidOptionError } from './errors';
import { GRANTS } from './migrations.generated';
import { DEFAULT_SCHEMA, quoteSchema } from './schema-name';

/** The documented roles: who does what on the flags schema. */
export type StoreRole = 'application' | 'operator' | 'monitor';

/** Options of {@link grantsSql}: the schema, and the database role to use for each documented role. */
export interface GrantsSqlOptions {
  /** The flags schema. Default `kaviar_flags`. */
  schema?: string;
  /**
   * The role the application's SDK connects as (`createPgFlags`): reads flags, allowlist, state and changes;
   * inserts and updates its own rows in `instances` and `exposures`; LISTEN needs no grant.
   */
  application?: string;
  /** The role operators and their scripts connect as (the CLI, the admin API): flag writes with their audit. */
  operator?: string;
  /** The role checks connect as (the monitor, `kaviar-flags check`): reads everything, records checkpoints. */
  monitor?: string;
}

const ROLES: readonly StoreRole[] = ['application', 'operator', 'monitor'];

// Role names are identifiers: quoted, so any name Postgres accepts works, and nothing can be injected
// (control characters are refused so a name cannot end the comment line it is printed in either).
function quoteRole(option: string, role: unknown): string {
  const control = typeof role === 'string' && [...role].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f');
  if (typeof role !== 'string' || role.length === 0 || Buffer.byteLength(role) > 63 || control) {
    throw new InvalidOptionError(
      option,
      role,
      'must be a role name of 1 to 63 bytes without control characters',
    );
  }
  return `"${role.replaceAll('"', '""')}"`;
}

/**
 * The `REVOKE`/`GRANT` statements that give each named role exactly its documented privileges on `schema`,
 * as one script (run it as the schema's owner, after every migration: it is idempotent). Roles not given are
 * left out. Throws `InvalidOptionError` when no role is given or a name is not valid.
 *
 * @example
 * grantsSql({ schema: 'kaviar_flags', application: 'app', operator: 'flags_ops', monitor: 'flags_monitor' });
 * // revoke all on all tables in schema "kaviar_flags" from "app"; ... grant select on "kaviar_flags"."flags" to "app"; ...
 */
export function grantsSql(options: GrantsSqlOptions): string {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const ident = quoteSchema(schema);
  const given = ROLES.filter((role) => options[role] !== undefined);
  if (given.length === 0) {
    throw new InvalidOptionError('application | operator | monitor', 'none given', 'name at least one role');
  }
  const lines = [
    `-- @kaviar/flags-pg grants for schema ${ident}. Run as the schema's owner after every migration.`,
  ];
  for (const role of given) {
    const name = quoteRole(role, options[role]);
    lines.push(
      '',
      `-- ${role}: ${name}`,
      `revoke all on all tables in schema ${ident} from ${name};`,
      `revoke all on all sequences in schema ${ident} from ${name};`,
      `grant usage on schema ${ident} to ${name};`,
    );
    for (const grant of GRANTS) {
      if (grant.role !== role) continue;
      const object = grant.kind === 'sequence' ? 'sequence ' : '';
      lines.push(`grant ${grant.privileges.join(', ')} on ${object}${ident}."${grant.name}" to ${name};`);
    }
  }
  return `${lines.join('\n')}\n`;
}
