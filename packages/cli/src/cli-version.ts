import packageJson from '../package.json';

/** The CLI's version (from its package.json). */
export const CLI_VERSION: string = packageJson.version;
