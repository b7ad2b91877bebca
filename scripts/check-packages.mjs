// Runs publint and @arethetypeswrong/cli (attw --pack) on every public package; fails on any problem.
// Run after `npm run build`: node scripts/check-packages.mjs
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let failed = 0;
for (const name of ['core', 'pg', 'monitor', 'dashboard', 'cli', 'openfeature']) {
  const cwd = join(root, 'packages', name);
  for (const [cmd, args] of [
    ['publint', ['--strict']],
    // node10 resolution ignores `exports`; the packages target Node >= 20.
    ['attw', ['--pack', '.', '--profile', 'node16', '--format', 'ascii']],
  ]) {
    const result = spawnSync(join(root, 'node_modules', '.bin', cmd), args, { cwd, encoding: 'utf8' });
    if (result.status !== 0) {
      failed++;
      console.error(`FAIL ${cmd} packages/${name}\n${result.stdout}${result.stderr}`);
    } else {
      console.log(`ok ${cmd} packages/${name}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
