export {
  DatabaseLockedError,
  FileUnreadableError,
  FileUnwritableError,
  InvalidInputError,
  UsageError,
} from './cli-errors';
export { CLI_VERSION } from './cli-version';
export { EXIT_CODES, type ExitCode, exitCodeForError } from './exit-codes';
export type { GitState } from './git-state';
export { maskSecrets } from './mask-secrets';
export type { OperatorSection } from './operator-sections';
export { type IdsFile, type ParseIdsOptions, parseIdsFile } from './parse-ids-file';
export type { TextSink } from './printer';
export {
  type OpsSnapshotInput,
  renderOpsSnapshot,
  type SnapshotCheckpoint,
  type SnapshotDatabase,
  type SnapshotGit,
} from './render-ops-snapshot';
export { type CliIo, runCli } from './run-cli';
