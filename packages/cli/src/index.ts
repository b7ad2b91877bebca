export type { Prompt } from './confirm-change';
export type { TextSink } from './printer';
export { type CliIo, runCli } from './run-cli';
