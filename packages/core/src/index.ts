export type { FlagConfig, Subject, Reason, EvaluationResult, Evaluation } from './types';
export type {
  FlagSnapshot,
  FlagSource,
  ReadyResult,
  SnapshotOrigin,
  SourceEvent,
  SourceState,
  SourceStatus,
} from './source';
export { FlagsError, InvalidFlagError, TimeoutError, ClosedError, toError, describe } from './errors';
