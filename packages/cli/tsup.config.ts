import { packageConfig } from '../../tsup.config';

export default [
  packageConfig({ entry: ['src/index.ts'] }),
  // The executable: ESM only, no types, with the shebang; `clean` off so it does not wipe the library build.
  packageConfig({
    entry: ['src/bin.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  }),
];
