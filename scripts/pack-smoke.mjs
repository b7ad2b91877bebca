// Packs every public package, installs the tarballs into a temporary project and imports each one
// from ESM and CommonJS, then runs the CLI's --help: what a user gets from npm, not the sources.
// Run after `npm run build`: node scripts/pack-smoke.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = ['core', 'pg', 'monitor', 'dashboard', 'cli', 'openfeature'];
const dir = mkdtempSync(join(tmpdir(), 'kaviar-flags-smoke-'));
const run = (cmd, args, cwd = dir) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

try {
  const tarballs = packages.map((name) => {
    const out = run('npm', ['pack', '--json', '--pack-destination', dir], join(root, 'packages', name));
    return join(dir, JSON.parse(out)[0].filename);
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs]);

  const names = packages.map(
    (name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).name,
  );
  const checks = {
    '@kaviar/flags-core': ['bucketOf', 'createFlagClient', 'createTestFlags'],
    '@kaviar/flags-pg': ['openDb', 'migrate', 'createPgFlags'],
    '@kaviar/flags-monitor': ['checkFlag', 'exitCodeFor'],
    '@kaviar/flags-dashboard': ['createDashboard', 'serveDashboard'],
    '@kaviar/flags-cli': ['runCli'],
    '@kaviar/flags-openfeature': ['KaviarFlagsProvider'],
  };
  for (const name of names) {
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
  console.log(`smoke: ${names.length} packages packed, installed and imported`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
