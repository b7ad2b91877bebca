export type { TextSink } from './printer';
export { type CliIo, runCli } from './run-cli';
