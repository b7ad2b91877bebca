import { defineConfig, type Options } from 'tsup';

/**
 * The one build every package shares: ESM + CJS + `.d.ts`/`.d.cts` from `src/index.ts`,
 * for Node 20. A package passes extra entries (the CLI's `bin`) or options on top.
 * `stripInternal` keeps declarations tagged `@internal` out of the built `.d.ts`
 * (`scripts/check-packages.mjs` fails if one gets through).
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { stripInternal: true } },
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    tsconfig: 'tsconfig.json',
    ...overrides,
  });
}
