export type { CliIo } from './cli-io';
export type { Prompt } from './confirm-change';
export type { TextSink } from './printer';
export { runCli } from './run-cli';
