import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the sources, so `npm test` needs no build; the pack smoke test covers dist.
const alias = {
  '@kaviar/flags-core': src('core'),
  '@kaviar/flags-pg': src('pg'),
  '@kaviar/flags-monitor': src('monitor'),
  '@kaviar/flags-cli': src('cli'),
};

const project = (name: string, dir: string, include = ['src/**/*.test.ts', 'test/**/*.test.ts']) => ({
  extends: true as const,
  resolve: { alias },
  test: {
    name,
    root: dir,
    include,
  },
});

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      project('core', 'packages/core'),
      project('pg', 'packages/pg'),
      project('monitor', 'packages/monitor'),
      project('cli', 'packages/cli'),
      project('examples', 'examples', ['*/src/**/*.test.ts', '*/test/**/*.test.ts']),
    ],
  },
});
