import { packageConfig } from '../../tsup.config';

// `./internal` is what the @kaviar/flags packages share beyond the public API (see src/internal.ts).
export default packageConfig({ entry: ['src/index.ts', 'src/internal.ts'] });
