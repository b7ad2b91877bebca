/**
 * Guards that the benchmark measures our SDK as users get it: `@kaviar/flags-core` must resolve
 * through node_modules to the built `dist`, not to the TypeScript sources (which a `paths` mapping in
 * a tsconfig could substitute).
 */
import { fileURLToPath } from 'node:url';

/** Returns the file `@kaviar/flags-core` resolves to; throws when it is not the built package. */
export function assertBuiltCore(): string {
  const file = fileURLToPath(import.meta.resolve('@kaviar/flags-core'));
  if (!/[\\/]dist[\\/]index\.m?js$/.test(file)) {
    throw new Error(
      `@kaviar/flags-core resolves to ${file}, not the built package: run \`npm run build -w packages/core\``,
    );
  }
  return file;
}
