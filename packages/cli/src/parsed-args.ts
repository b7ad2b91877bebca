import { UsageError } from './cli-errors';

/** Parsed command-line values with typed accessors that raise `UsageError` on misuse. */
export interface ParsedArgs {
  /** The command name (`set`, `allowlist add`). */
  readonly command: string;
  /** Directory relative file paths resolve against. */
  readonly cwd: string;
  /** Positional arguments after the command name. */
  readonly positionals: readonly string[];
  /** A string option, or `undefined` when absent. */
  string(name: string): string | undefined;
  /** A string option that must be given. */
  required(name: string): string;
  /** A boolean option (absent is `false`). */
  flag(name: string): boolean;
  /** A repeatable string option (absent is `[]`). */
  list(name: string): string[];
  /** Positional `index`, required, named `what` in the error. */
  positional(index: number, what: string): string;
  /** Fails when more than `count` positionals were given. */
  maxPositionals(count: number): void;
}

/** Wraps `node:util` parseArgs output. @internal */
export function createParsedArgs(
  command: string,
  cwd: string,
  values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>,
  positionals: readonly string[],
): ParsedArgs {
  return {
    command,
    cwd,
    positionals,
    string(name) {
      const value = values[name];
      if (Array.isArray(value)) return value.map(String).at(-1);
      return typeof value === 'string' ? value : undefined;
    },
    required(name) {
      const value = this.string(name);
      if (value === undefined || value.trim() === '') throw new UsageError(`Missing --${name}`, command);
      return value;
    },
    flag(name) {
      return values[name] === true;
    },
    list(name) {
      const value = values[name];
      if (value === undefined) return [];
      return (Array.isArray(value) ? value : [value]).map(String);
    },
    positional(index, what) {
      const value = positionals[index];
      if (value === undefined || value === '') throw new UsageError(`Missing ${what}`, command);
      return value;
    },
    maxPositionals(count) {
      if (positionals.length > count) {
        throw new UsageError(`Unexpected argument ${JSON.stringify(positionals[count])}`, command);
      }
    },
  };
}
