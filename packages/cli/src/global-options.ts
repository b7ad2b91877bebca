import type { OptionSpec } from './command-spec';

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'database-url': {
    type: 'string',
    value: 'URL',
    description: 'Postgres URL (default: $DATABASE_URL; with neither, the embedded database)',
  },
  schema: {
    type: 'string',
    value: 'NAME',
    description: 'Postgres schema holding the flags (default kaviar_flags)',
  },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    description: 'Folder of the embedded database (default ./.kaviar-flags)',
  },
  json: { type: 'boolean', description: 'Print one JSON document on stdout, for scripts' },
  tz: { type: 'string', value: 'ZONE', description: 'Time zone for times shown (default: the system zone)' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command' },
};
