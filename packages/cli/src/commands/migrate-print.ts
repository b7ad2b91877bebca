import { grantsSql, InvalidOptionError, migrationSql, SCHEMA_VERSION } from '@kaviar/flags-pg';
import { UsageError } from '../cli-errors';
import type { CommandContext } from '../command-spec';
import { parseIntegerArg } from '../input-values';
import type { ParsedArgs } from '../parsed-args';

/*
 * `kaviar-flags migrate --print-sql` / `--print-grants`: the schema's SQL for the team's own migration tool
 * and the documented roles' grants, printed without connecting to any database.
 */

const ROLE_OPTIONS = ['application', 'operator', 'monitor'] as const;

/** The options `migrate` adds for printing. */
export const PRINT_OPTIONS = {
  'print-sql': {
    type: 'boolean',
    description: 'Print the migrations as SQL for psql or your migration tool; connect to nothing',
  },
  from: {
    type: 'string',
    value: 'N',
    description: 'With --print-sql: the migration the database is at (default 0)',
  },
  to: {
    type: 'string',
    value: 'N',
    description: `With --print-sql: the last migration (default ${SCHEMA_VERSION})`,
  },
  'print-grants': {
    type: 'boolean',
    description:
      'Print the GRANTs of the roles named by --application/--operator/--monitor; connect to nothing',
  },
  application: { type: 'string', value: 'ROLE', description: 'With --print-grants: the application role' },
  operator: { type: 'string', value: 'ROLE', description: 'With --print-grants: the operator role' },
  monitor: { type: 'string', value: 'ROLE', description: 'With --print-grants: the monitor role' },
} as const;

/** What to print instead of migrating, or `undefined` to migrate. */
export type PrintRequest =
  | { readonly print: 'sql'; readonly from: number; readonly to: number }
  | { readonly print: 'grants'; readonly roles: Partial<Record<(typeof ROLE_OPTIONS)[number], string>> };

/** Reads `--print-sql`/`--print-grants` and their options; a misplaced option is a usage error. */
export function parsePrintRequest(args: ParsedArgs): PrintRequest | undefined {
  const command = args.command;
  const sql = args.flag('print-sql');
  const grants = args.flag('print-grants');
  if (sql && grants) throw new UsageError('Give --print-sql or --print-grants, not both', command);
  const fromText = args.string('from');
  const toText = args.string('to');
  if (!sql && (fromText !== undefined || toText !== undefined)) {
    throw new UsageError('--from and --to go with --print-sql', command);
  }
  const roles: Partial<Record<(typeof ROLE_OPTIONS)[number], string>> = {};
  for (const role of ROLE_OPTIONS) {
    const name = args.string(role);
    if (name === undefined) continue;
    if (!grants) throw new UsageError(`--${role} goes with --print-grants`, command);
    roles[role] = name;
  }
  if (grants) {
    if (Object.keys(roles).length === 0) {
      throw new UsageError(
        '--print-grants needs at least one of --application, --operator, --monitor',
        command,
      );
    }
    try {
      grantsSql(roles); // the one check of role names
    } catch (error) {
      if (error instanceof InvalidOptionError)
        throw new UsageError(`--${error.option}: ${error.message}`, command);
      throw error;
    }
    return { print: 'grants', roles };
  }
  if (!sql) return undefined;
  const from = fromText === undefined ? 0 : parseIntegerArg(fromText, 'from', command, 0);
  const to = toText === undefined ? SCHEMA_VERSION : parseIntegerArg(toText, 'to', command, 0);
  if (to > SCHEMA_VERSION || from > to) {
    throw new UsageError(
      `--from ${from} --to ${to}: this version knows migrations 1 to ${SCHEMA_VERSION}; --from must not be above --to`,
      command,
    );
  }
  return { print: 'sql', from, to };
}

/** Prints the SQL or the grants for the command's schema. */
export function printRequested(request: PrintRequest, ctx: CommandContext): void {
  const schema = ctx.schema;
  const sql =
    request.print === 'sql'
      ? migrationSql({ schema, from: request.from, to: request.to })
      : grantsSql({ schema, ...request.roles });
  if (ctx.printer.json) {
    ctx.printer.printJson({ schema: schema ?? 'kaviar_flags', ...request, sql });
  } else {
    ctx.printer.line(sql.trimEnd());
  }
}
