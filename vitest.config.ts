import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

// Tests run against the sources, so `npm test` needs no build; the pack smoke test covers dist.
const alias = {
  // Subpaths first: an alias also matches imports that start with its key.
  '@kaviar/flags-core/internal': src('core', 'internal'),
  '@kaviar/flags-pg/internal': src('pg', 'internal'),
  '@kaviar/flags-core': src('core'),
  '@kaviar/flags-pg': src('pg'),
  '@kaviar/flags-monitor': src('monitor'),
  '@kaviar/flags-dashboard': src('dashboard'),
  '@kaviar/flags-cli': src('cli'),
  '@kaviar/flags-openfeature': src('openfeature'),
};

const project = (
  name: string,
  dir: string,
  include = ['src/**/*.test.ts', 'test/**/*.test.ts'],
  extra: Record<string, unknown> = {},
) => ({
  extends: true as const,
  resolve: { alias },
  test: {
    name,
    root: dir,
    include,
    ...extra,
  },
});

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // One line when the Postgres suites are skipped, saying how to run them.
    globalSetup: [fileURLToPath(new URL('./test/support/postgres-notice.ts', import.meta.url))],
    projects: [
      project('core', 'packages/core'),
      project('pg', 'packages/pg'),
      project('monitor', 'packages/monitor'),
      project('dashboard', 'packages/dashboard'),
      // The CLI's end-to-end tests spawn the built binary: build what is older than its sources first.
      project('cli', 'packages/cli', undefined, { globalSetup: ['./test/global-setup.ts'] }),
      project('openfeature', 'packages/openfeature'),
      project('examples', 'examples', ['*/src/**/*.test.ts', '*/test/**/*.test.ts']),
    ],
  },
});
