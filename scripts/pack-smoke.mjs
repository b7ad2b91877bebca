// Packs every public package under packages/, installs the tarballs into a temporary project that already
// depends on pg 8.16 (as an application would), and checks what a user gets from npm, not the sources:
// - each tarball has its LICENSE; @kaviar/flags-pg ships its migrations as plain SQL (sql/*.sql);
// - pg is installed once (our caret range dedupes with the application's own pg);
// - each package imports from ESM and CommonJS; the CLI's --help runs from the installed bin;
// - a strict TypeScript consumer (`strict`, `skipLibCheck: false`) compiles against every package's types.
// Run after `npm run build`: node scripts/pack-smoke.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicPackages } from './api-report.mjs';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kaviar-flags-smoke-'));
const run = (cmd, args, cwd = dir) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
// The application's own pg (and its types), at a version other than the one the workspace installs.
const APP_PG = '8.16.0';

try {
  const packages = publicPackages();
  const tarballs = packages.map(({ dir: pkgDir, manifest }) => {
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], pkgDir));
    const files = new Set(packed.files.map((f) => f.path));
    if (!files.has('LICENSE')) throw new Error(`${manifest.name}: the tarball has no LICENSE`);
    return join(dir, packed.filename);
  });
  console.log(`ok ${packages.length} tarballs, each with its LICENSE`);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'smoke', private: true, type: 'module', dependencies: { pg: APP_PG } }),
  );
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--loglevel=error',
    `pg@${APP_PG}`,
    '@types/node@20',
    ...tarballs,
  ]);

  const pgCopies = run('npm', ['ls', 'pg', '--all', '--parseable'])
    .split('\n')
    .filter((line) => line.trim() !== '');
  const distinct = new Set(pgCopies);
  if (distinct.size !== 1)
    throw new Error(`pg is installed ${distinct.size} times:\n${[...distinct].join('\n')}`);
  console.log(`ok one copy of pg (the application's ${APP_PG})`);

  const checks = {
    '@kaviar/flags-core': ['bucketOf', 'createFlagClient', 'createTestFlags'],
    '@kaviar/flags-pg': ['openDb', 'migrate', 'createPgFlags', 'migrationSql', 'grantsSql'],
    '@kaviar/flags-monitor': ['checkFlag', 'exitCodeFor'],
    '@kaviar/flags-cli': ['runCli'],
    '@kaviar/flags-openfeature': ['KaviarFlagsProvider'],
    '@kaviar/flags-dashboard': ['createDashboard', 'serveDashboard'],
  };
  for (const { manifest } of packages) {
    const name = manifest.name;
    const wanted = JSON.stringify(checks[name] ?? []);
    writeFileSync(
      join(dir, 'esm.mjs'),
      `const m = await import(${JSON.stringify(name)}); for (const k of ${wanted}) if (typeof m[k] !== 'function') throw new Error(${JSON.stringify(name)} + ' (ESM) lacks ' + k);`,
    );
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `const m = require(${JSON.stringify(name)}); for (const k of ${wanted}) if (typeof m[k] !== 'function') throw new Error(${JSON.stringify(name)} + ' (CJS) lacks ' + k);`,
    );
    run('node', ['esm.mjs']);
    run('node', ['cjs.cjs']);
    console.log(`ok ${name}: ESM and CJS import, ${JSON.parse(wanted).length} exports checked`);
  }

  const sqlDir = join(dir, 'node_modules', '@kaviar', 'flags-pg', 'sql');
  const sqlFiles = existsSync(sqlDir)
    ? readdirSync(sqlDir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    : [];
  if (sqlFiles.length === 0) throw new Error('@kaviar/flags-pg: no sql/NNNN_name.sql files in the package');
  console.log(`ok @kaviar/flags-pg ships ${sqlFiles.join(', ')}`);

  // The golden rule of the contract, through the installed package in both module systems.
  writeFileSync(
    join(dir, 'bucket.cjs'),
    `console.log(require('@kaviar/flags-core').bucketOf('passenger_favorites_matching', 'passenger-42'))`,
  );
  writeFileSync(
    join(dir, 'bucket.mjs'),
    `import { bucketOf } from '@kaviar/flags-core'; console.log(bucketOf('passenger_favorites_matching', 'passenger-42'))`,
  );
  const [cjs, esm] = [run('node', ['bucket.cjs']).trim(), run('node', ['bucket.mjs']).trim()];
  if (cjs !== esm) throw new Error(`bucketOf differs between CJS (${cjs}) and ESM (${esm})`);
  // The OpenFeature provider through the SDK that npm installed as its peer, in both module systems.
  const openFeature = (load) =>
    `${load}
await OpenFeature.setProviderAndWait(new KaviarFlagsProvider(createTestFlags({ f: { allowlist: ['vip'], rolloutPercentage: 0 } })));
const d = await OpenFeature.getClient().getBooleanDetails('f', false, { targetingKey: 'vip' });
if (d.value !== true || d.reason !== 'TARGETING_MATCH' || d.flagMetadata.reason !== 'ALLOWLIST') throw new Error('provider: ' + JSON.stringify(d));
await OpenFeature.close();
console.log(d.reason);`;
  writeFileSync(
    join(dir, 'openfeature.mjs'),
    openFeature(
      `import { OpenFeature } from '@openfeature/server-sdk'; import { createTestFlags } from '@kaviar/flags-core'; import { KaviarFlagsProvider } from '@kaviar/flags-openfeature';`,
    ),
  );
  writeFileSync(
    join(dir, 'openfeature.cjs'),
    `(async () => {${openFeature(
      `const { OpenFeature } = require('@openfeature/server-sdk'); const { createTestFlags } = require('@kaviar/flags-core'); const { KaviarFlagsProvider } = require('@kaviar/flags-openfeature');`,
    )}})().catch((e) => { console.error(e); process.exit(1); });`,
  );
  run('node', ['openfeature.mjs']);
  run('node', ['openfeature.cjs']);
  console.log('ok @kaviar/flags-openfeature: a flag through OpenFeature.getClient(), ESM and CJS');
  const help = run(join(dir, 'node_modules', '.bin', 'kaviar-flags'), ['--help']);
  if (!help.includes('kaviar-flags')) throw new Error('kaviar-flags --help printed no usage');
  console.log('ok kaviar-flags --help from the installed bin');

  // A strict consumer that checks library types too: every package's .d.ts (and what they import, like
  // pg's types) must compile, from ESM and from CommonJS.
  const imports = packages.map(
    ({ manifest }, i) => `import * as p${i} from ${JSON.stringify(manifest.name)};`,
  );
  const uses = `export const loaded = [${packages.map((_, i) => `p${i}`).join(', ')}];\n`;
  writeFileSync(join(dir, 'consumer.mts'), `${imports.join('\n')}\n${uses}`);
  writeFileSync(join(dir, 'consumer.cts'), `${imports.join('\n')}\n${uses}`);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
      },
      files: ['consumer.mts', 'consumer.cts'],
    }),
  );
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  console.log('ok a strict consumer (skipLibCheck: false) compiles against every package, ESM and CJS');
  console.log(`smoke: ${packages.length} packages packed, installed and imported`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
