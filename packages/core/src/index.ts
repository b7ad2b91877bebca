export { BUCKETS, bucketOf, thresholdOf } from './bucket';
export {
  ClosedError,
  FlagNotFoundError,
  FlagsError,
  type FlagsErrorCode,
  InvalidFlagError,
  InvalidOptionError,
  TimeoutError,
} from './errors';
export { evaluate } from './evaluate';
export type { ExposureCount } from './exposure-counter';
export {
  type ClientStatus,
  createFlagClient,
  type FlagClient,
  type FlagClientOptions,
} from './flag-client';
export { createMemorySource, type MemorySource, type MemorySourceOptions } from './memory-source';
export { FLAG_KEY_PATTERN, parseFlag, parseFlagKey, parseRolloutPercentage } from './parse-flag';
export type {
  FlagSnapshot,
  FlagSource,
  ReadyResult,
  SnapshotOrigin,
  SourceEvent,
  SourceState,
  SourceStatus,
} from './source';
export { MAX_SUBJECT_ID_LENGTH, subjectIdOf, subjectIdProblem, textProblem } from './subject';
export {
  createTestFlags,
  type FindSubjectsOptions,
  type TestFlagDefinition,
  type TestFlags,
} from './test-flags';
export type { Evaluation, EvaluationResult, FlagConfig, Reason, Subject } from './types';
