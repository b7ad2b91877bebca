export type { AllowlistResult } from './admin/allowlist';
export { addToAllowlist, removeFromAllowlist } from './admin/allowlist';
export type {
  AuditAction,
  AuditAllowlistChange,
  AuditEntry,
  AuditFlagState,
  AuditState,
  ListAuditOptions,
  RampAuditAction,
} from './admin/audit';
export { listAudit } from './admin/audit';
export type { NewFlag } from './admin/create-flag';
export { createFlag } from './admin/create-flag';
export { deleteFlag } from './admin/delete-flag';
export type { FlagRow, WriteOptions } from './admin/flag-row';
export type { ImportAllowlistOptions, ImportProgress } from './admin/import-allowlist';
export { importAllowlist } from './admin/import-allowlist';
export type { PruneChangesOptions, PruneChangesResult } from './admin/prune-changes';
export { pruneChanges } from './admin/prune-changes';
export { getAllowlist, getFlag, listFlags } from './admin/read-flags';
export type { FlagChanges, UpdateOptions } from './admin/update-flag';
export { updateFlag } from './admin/update-flag';
export type { ConnectionProblem } from './connection-failure';
export {
  checkConnectionString,
  classifyConnectionFailure,
  DatabaseAuthError,
  DatabaseConfigError,
  whatToCheck,
} from './connection-failure';
export type { PgClientStatus, PgFlagsClient, PgFlagsOptions } from './create-pg-flags';
export { createPgFlags } from './create-pg-flags';
export type { FlagsDb, OpenDbOptions, Queryable } from './db';
export { openDb } from './db';
export {
  ConflictError,
  DatabaseUnavailableError,
  FlagExistsError,
  FlagNotFoundError,
  InvalidOptionError,
  InvalidRampError,
  InvalidSnapshotError,
  RampConflictError,
  RampExistsError,
  RampNotFoundError,
  RampStateError,
  SchemaAheadError,
  type SchemaBehind,
  SchemaMissingError,
  SnapshotFileError,
  WriteAbortedError,
  WriteContentionError,
} from './errors';
export type { GrantsSqlOptions, StoreRole } from './grants-sql';
export { grantsSql } from './grants-sql';
export type { InstanceRow, ListInstancesOptions } from './instances/list-instances';
export { listInstances } from './instances/list-instances';
export type { MigrateResult } from './migrate';
export { migrate, SCHEMA_VERSION, schemaVersion } from './migrate';
export type { MigrationFile, MigrationSqlOptions } from './migration-sql';
export { migrationFiles, migrationSql } from './migration-sql';
export type { CheckpointRow, CheckpointRowFilter } from './observe/checkpoint-rows';
export { insertCheckpoint, selectCheckpoints } from './observe/checkpoint-rows';
export type { DispersionSums, ExposureTotals, SumExposuresOptions } from './observe/exposure-totals';
export { sumExposures } from './observe/exposure-totals';
export type { ExposureWindow } from './observe/exposure-windows';
export { selectExposureWindows } from './observe/exposure-windows';
export type { FlagState, FlagStateReading } from './observe/read-flag-state';
export { missingAllowlistMembers, readFlagState } from './observe/read-flag-state';
export { searchCheckpointRows } from './observe/search-checkpoint-rows';
export type { PGliteLike } from './pglite-driver';
export type { ClaimRampOptions } from './ramps/claim-ramp';
export { claimRamp, releaseRamp } from './ramps/claim-ramp';
export type { RampActionOptions } from './ramps/control-ramp';
export { abortRamp, pauseRamp, resumeRamp } from './ramps/control-ramp';
export type { Ramp, RampDecision, RampGuardCommand, RampState, RampStepResult } from './ramps/ramp';
export { rampRollbackTarget } from './ramps/ramp';
export type { ListRampsOptions } from './ramps/read-ramps';
export { getRamp, listDueRamps, listRamps } from './ramps/read-ramps';
export type { StartRampOptions, StartRampResult } from './ramps/start-ramp';
export { startRamp } from './ramps/start-ramp';
export type { RampTransition, TransitionRampOptions } from './ramps/transition-ramp';
export { transitionRamp } from './ramps/transition-ramp';
export type { NewRamp, RampPlan } from './ramps/validate-ramp';
export { validateRamp } from './ramps/validate-ramp';
export { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN, schemaNameProblem } from './schema-name';
export { exportSnapshot } from './snapshot/export-snapshot';
export type {
  FlagDiff,
  ImportSnapshotOptions,
  ImportSnapshotResult,
  SnapshotDiff,
} from './snapshot/import-snapshot';
export { importSnapshot } from './snapshot/import-snapshot';
export type { SnapshotDocument, SnapshotFlag } from './snapshot/snapshot-document';
export { parseSnapshotDocument, SNAPSHOT_FORMAT } from './snapshot/snapshot-document';
export type { ListenState, ListenStatus } from './source/notify-listener';
export type { FlagsLogger } from './source/pg-source';
