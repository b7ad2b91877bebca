#!/usr/bin/env node
// The `kaviar-flags` command: loads the built CLI (dist/bin.js). It is committed so that npm links it at
// install time, before anything is built; in a fresh clone it says how to build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write(
    'kaviar-flags: the CLI is not built yet (no packages/cli/dist/bin.js): run `npm run build` from the repository root first\n',
  );
  process.exitCode = 78;
}
