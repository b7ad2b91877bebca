/**
 * Guards that the benchmark measures our packages as users get them: `@kaviar/flags-*` must resolve
 * through node_modules to the built `dist`, not to the TypeScript sources (which a `paths` mapping in
 * a tsconfig could substitute).
 */
import { fileURLToPath } from 'node:url';
import { BenchError } from './bench-error';

/** Returns the file `specifier` resolves to; throws when it is not a package's built `dist`. */
export function resolveBuilt(specifier: string): string {
  const file = fileURLToPath(import.meta.resolve(specifier));
  if (!/[\\/]dist[\\/]index\.m?js$/.test(file)) {
    throw new BenchError(
      'BENCH_NOT_BUILT',
      `${specifier} resolves to ${file}, not the built package: run \`npm run build\``,
    );
  }
  return file;
}
