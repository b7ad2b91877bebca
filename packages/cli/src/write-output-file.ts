import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FileUnwritableError } from './cli-errors';

/** Writes `text` to `path` (relative to `cwd`) atomically: a temporary file renamed into place. */
export function writeOutputFile(path: string, cwd: string, text: string): void {
  const target = resolve(cwd, path);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, target);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was created.
    }
    throw new FileUnwritableError(path, { cause: error });
  }
}

/** The JSON file written beside a Markdown snapshot: `ops.md` → `ops.json`. */
export function jsonPathBeside(path: string): string {
  return /\.md$/i.test(path) ? path.replace(/\.md$/i, '.json') : `${path}.json`;
}
