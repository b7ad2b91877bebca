/**
 * What each page shows, read through the public functions of @kaviar/flags-pg and
 * @kaviar/flags-monitor only. Nothing here reads allowlist members: flags come with their allowlist
 * count, audit states hold no ids (`listAudit` never returns any), checkpoints are redacted.
 */
import {
  type CheckStatus,
  exposureByVersion,
  type InstanceLag,
  instanceLag,
  listCheckpoints,
  searchCheckpoints,
  type VersionExposure,
} from '@kaviar/flags-monitor';
import {
  type AuditEntry,
  type FlagRow,
  type FlagsDb,
  getFlag,
  type InstanceRow,
  listAudit,
  listFlags,
  listInstances,
  listRamps,
  type Ramp,
} from '@kaviar/flags-pg';
import { RAMP_IN_PROGRESS } from '@kaviar/flags-pg/internal';
import { redactCheckpoint, type ShownCheckpoint } from './redact';
import { type RolloutStep, rolloutTimeline } from './rollout-timeline';

/** Tunables shared by the reads (the monitor's defaults). @internal */
export interface ReadSettings {
  readonly liveWindowMs: number;
  readonly heartbeatIntervalMs: number;
  readonly confidence: number;
}

/** One row of the flags page. @internal */
export interface FlagOverview {
  readonly flag: FlagRow;
  readonly lastCheckpoint: ShownCheckpoint | undefined;
  /** Live instances serving the flag's current version, and live instances (presumed-gone excluded). */
  readonly serving: number;
  readonly live: number;
  /** The flag's ramp in progress (active, holding or paused), if any. */
  readonly ramp: RampView | undefined;
}

/** What the pages show of a ramp: never its guard commands (operator-typed shell text). @internal */
export type RampView = Pick<
  Ramp,
  | 'state'
  | 'steps'
  | 'stepIndex'
  | 'currentPercent'
  | 'nextCheckAt'
  | 'explanation'
  | 'startedBy'
  | 'startedAt'
>;

function rampView(ramp: Ramp): RampView {
  return {
    state: ramp.state,
    steps: ramp.steps,
    stepIndex: ramp.stepIndex,
    currentPercent: ramp.currentPercent,
    nextCheckAt: ramp.nextCheckAt,
    explanation: ramp.explanation,
    startedBy: ramp.startedBy,
    startedAt: ramp.startedAt,
  };
}

/** An instance with where it stands against one flag. @internal */
export interface InstanceView {
  readonly instance: InstanceRow;
  readonly lag: InstanceLag;
}

/** The flag page. @internal */
export interface FlagDetail {
  readonly flag: FlagRow;
  readonly steps: readonly RolloutStep[];
  readonly audit: readonly AuditEntry[];
  readonly checkpoints: readonly ShownCheckpoint[];
  readonly exposures: readonly VersionExposure[];
  readonly instances: readonly InstanceView[];
  /** The flag's latest ramp (in progress or finished), if it ever had one. */
  readonly ramp: RampView | undefined;
  /** Database clock at the read. */
  readonly now: Date;
  /** Confidence of the exposure intervals. */
  readonly confidence: number;
}

/** The checkpoints page. @internal */
export interface CheckpointsView {
  readonly checkpoints: readonly ShownCheckpoint[];
  readonly phases: readonly string[];
}

/**
 * The database clock, from the instances' heartbeat ages (`listInstances` measures them there):
 * application hosts and the database may disagree on the time. Without instances nothing is judged.
 */
function databaseNow(instances: readonly InstanceRow[]): Date {
  const i = instances[0];
  return i ? new Date(i.lastSeenAt.getTime() + i.ageMs) : new Date();
}

function judge(instances: readonly InstanceRow[], flag: FlagRow, now: Date, s: ReadSettings) {
  return instances.map((instance) => ({
    instance,
    lag: instanceLag(
      instance,
      { version: flag.version, changedAt: flag.updatedAt },
      { now, liveWindowMs: s.liveWindowMs, heartbeatIntervalMs: s.heartbeatIntervalMs },
    ),
  }));
}

/** Every flag with its last checkpoint and how many live instances serve its current version. @internal */
export async function readOverview(db: FlagsDb, settings: ReadSettings): Promise<FlagOverview[]> {
  const flags = await listFlags(db);
  const instances = await listInstances(db, { withinMs: settings.liveWindowMs });
  const now = databaseNow(instances);
  const ramps = new Map(
    (await listRamps(db, { states: RAMP_IN_PROGRESS })).map((r) => [r.flagKey, rampView(r)] as const),
  );
  const rows: FlagOverview[] = [];
  for (const flag of flags) {
    const [last] = await listCheckpoints(db, { flagKey: flag.key, limit: 1 });
    const judged = judge(instances, flag, now, settings).filter((v) => v.lag.live && !v.lag.presumedGone);
    rows.push({
      flag,
      lastCheckpoint: last && redactCheckpoint(last),
      live: judged.length,
      serving: judged.filter((v) => !v.lag.behind).length,
      ramp: ramps.get(flag.key),
    });
  }
  return rows;
}

/** One flag's page, or `undefined` when there is no such flag. @internal */
export async function readFlagDetail(
  db: FlagsDb,
  key: string,
  settings: ReadSettings,
): Promise<FlagDetail | undefined> {
  const flag = await getFlag(db, key);
  if (!flag) return undefined;
  const audit = await listAudit(db, { flagKey: key, limit: 500 });
  const checkpoints = (await listCheckpoints(db, { flagKey: key, limit: 100 })).map(redactCheckpoint);
  const exposures = await exposureByVersion(db, key, { confidence: settings.confidence, versions: 8 });
  // Every instance that reported in the last day: the table shows the gone ones too, marked.
  const instances = await listInstances(db, { withinMs: 86_400_000 });
  const now = databaseNow(instances);
  const [ramp] = await listRamps(db, { flagKey: key, limit: 1 });
  return {
    flag,
    ramp: ramp && rampView(ramp),
    steps: rolloutTimeline(audit),
    audit,
    checkpoints,
    exposures,
    instances: judge(instances, flag, now, settings),
    now,
    confidence: settings.confidence,
  };
}

/** Checkpoints across flags, newest first, filtered. @internal */
export async function readCheckpoints(
  db: FlagsDb,
  filter: { status?: readonly CheckStatus[]; phase?: string; flagKey?: string },
): Promise<CheckpointsView> {
  const { checkpoints, phases } = await searchCheckpoints(db, { ...filter, limit: 200 });
  return { checkpoints: checkpoints.map(redactCheckpoint), phases };
}
