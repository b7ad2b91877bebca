export { KaviarFlagsProvider, type KaviarFlagsProviderOptions } from './kaviar-flags-provider';
export type { KaviarFlagMetadata } from './resolution';
