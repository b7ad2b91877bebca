/**
 * Builds what the end-to-end suite runs: `packages/cli/dist/bin.js` (the published `kaviar-flags`),
 * which imports core, pg and monitor from their own `dist`. Each package is rebuilt (`npm run build`)
 * only when its dist is missing or older than its sources, so a warm run costs a few `stat`s.
 *
 * Used as the cli project's vitest `globalSetup`, and called by the e2e suite itself in case the
 * project runs without it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** The newest modification time (ms) of a file under `path`, 0 when there is none. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** What each package's build reads, and the output the e2e suite needs from it. */
const BUILDS = [
  { name: 'core', inputs: ['src', 'package.json'], output: 'dist/index.js' },
  { name: 'pg', inputs: ['src', 'migrations', 'package.json'], output: 'dist/index.js' },
  { name: 'monitor', inputs: ['src', 'package.json'], output: 'dist/index.js' },
  { name: 'dashboard', inputs: ['src', 'assets', 'package.json'], output: 'dist/index.js' },
  { name: 'cli', inputs: ['src', 'package.json', 'tsup.config.ts'], output: 'dist/bin.js' },
] as const;

/** Rebuilds the packages whose dist is missing or stale; returns the ones it built. */
export function buildIfStale(): string[] {
  const built: string[] = [];
  for (const { name, inputs, output } of BUILDS) {
    const dir = join(PACKAGES, name);
    const sources = Math.max(...inputs.map((input) => newest(join(dir, input))));
    if (newest(join(dir, output)) >= sources) continue;
    try {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`building packages/${name} for the e2e suite failed:\n${stdout}${stderr}`);
    }
    built.push(name);
  }
  return built;
}

/** The path of the built executable. */
export const KAVIAR_BIN = join(PACKAGES, 'cli', 'dist', 'bin.js');

export default function setup(): void {
  buildIfStale();
}
