// Checks every public package under packages/ as it would be published; fails on any problem:
// - publint and @arethetypeswrong/cli (attw --pack);
// - no declaration tagged `@internal` in a built `.d.ts` (`stripInternal` must have removed it);
// - the committed API report (`api-report.md`) matches the build (scripts/api-report.mjs);
// - every value (function, class, constant) a package's main entry point exports is named in its README:
//   a package exports what its README documents (what only our packages share goes through `./internal`);
// - a package never released (no CHANGELOG.md yet) is at 0.0.0, so its first `changeset version` with a
//   minor changeset publishes 0.1.0 rather than skipping it.
// Run after `npm run build`: node scripts/check-packages.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { apiReports, publicPackages, runtimeExports } from './api-report.mjs';

const root = new URL('..', import.meta.url).pathname;
let failed = 0;

/**
 * Declarations in a built `.d.ts` whose own JSDoc says `@internal`: the comment right before them, with
 * nothing but whitespace in between (a file-header comment followed by another comment is not one).
 */
export function internalDeclarations(text) {
  const found = [];
  for (const match of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(?!\/[*/])([^\n]+)/g)) {
    if (/@internal\b/.test(match[1] ?? '')) found.push((match[2] ?? '').trim());
  }
  return found;
}

for (const { dir, manifest } of publicPackages()) {
  const name = relative(root, dir);
  if (!existsSync(join(dir, 'CHANGELOG.md')) && manifest.version !== '0.0.0') {
    failed++;
    console.error(
      `FAIL version ${name}: ${manifest.version} before its first release; set it to 0.0.0 (and depend on it ` +
        'as ^0.0.0) so the pending minor changesets release 0.1.0',
    );
  }
  for (const [cmd, args] of [
    ['publint', ['--strict']],
    // node10 resolution ignores `exports`; the packages target Node >= 20.
    ['attw', ['--pack', '.', '--profile', 'node16', '--format', 'ascii']],
  ]) {
    const result = spawnSync(join(root, 'node_modules', '.bin', cmd), args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) {
      failed++;
      console.error(`FAIL ${cmd} ${name}\n${result.stdout}${result.stderr}`);
    } else {
      console.log(`ok ${cmd} ${name}`);
    }
  }
  const leaks = readdirSync(join(dir, 'dist'))
    .filter((file) => /\.d\.c?ts$/.test(file))
    .flatMap((file) =>
      internalDeclarations(readFileSync(join(dir, 'dist', file), 'utf8')).map((line) => `${file}: ${line}`),
    );
  if (leaks.length > 0) {
    failed++;
    console.error(
      `FAIL @internal ${name}: declarations tagged @internal reached the built .d.ts (stripInternal did not ` +
        `remove them; export them through ./internal without the tag, or stop exporting them):\n  ${leaks.join('\n  ')}`,
    );
  } else {
    console.log(`ok no @internal declarations in ${name}/dist`);
  }
  const readme = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  const undocumented = runtimeExports({ dir, manifest }).filter(
    (value) => !new RegExp(`\\b${value}\\b`).test(readme),
  );
  if (undocumented.length > 0) {
    failed++;
    console.error(
      `FAIL README ${name}: exports not named in its README: ${undocumented.join(', ')} (document them, or ` +
        'share them through ./internal if only our packages use them)',
    );
  } else {
    console.log(`ok every value ${name} exports is in its README`);
  }
}

const stale = apiReports({ write: false });
if (stale.length > 0) {
  failed++;
  console.error(
    `FAIL API report out of date with the build: ${stale.join(', ')}.\n` +
      'The public API changed: review the change, then run `npm run build && npm run api-report` and commit the reports.',
  );
} else {
  console.log('ok API reports match the build');
}
process.exit(failed === 0 ? 0 : 1);
