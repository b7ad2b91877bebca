/**
 * Heartbeat and exposure counts, off the hot path: a timer (unref'd) periodically upserts this
 * instance's row in `instances` and adds the client's evaluation counters into `exposures`, one row per
 * flag, instance, flag version and minute, in one batched statement. Counts that fail to flush are kept
 * (merged, bounded) and retried on the next tick. One report runs at a time (`SerialRunner`); a tick
 * requested while one is in flight queues exactly one more, so a change seen mid-report is reported right
 * after it (the report in flight may have read the status before the change).
 */
import type { ExposureCount, SourceStatus } from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core/internal';
import type { FlagsDb } from '../db';
import { SerialRunner } from './serial-runner';
import { settlesWithin } from './settles-within';

/** @internal */
export interface InstanceReporterOptions {
  readonly instanceId: string;
  readonly app: string;
  readonly host: string;
  readonly pid: number;
  readonly intervalMs: number;
  readonly heartbeat: boolean;
  readonly countExposures: boolean;
  readonly db: () => Promise<FlagsDb>;
  readonly status: () => SourceStatus;
  readonly takeExposures: () => ExposureCount[];
  readonly onError: (error: Error) => void;
}

// Bound on distinct (flag, version) counters kept while the database is unreachable.
const MAX_PENDING = 10_000;

/** @internal */
export class InstanceReporter {
  private timer: NodeJS.Timeout | undefined;
  private readonly reports = new SerialRunner(() => this.report());
  // The state the next report sends instead of the source's (set by `tick(state)`, taken by `report()`).
  private nextState: string | undefined;
  private pending = new Map<string, ExposureCount>();
  private stopped = false;

  constructor(private readonly options: InstanceReporterOptions) {}

  start(): void {
    if (!this.options.heartbeat && !this.options.countExposures) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One heartbeat + flush now, or right after the one in flight. Never rejects. */
  tick(state?: string): Promise<void> {
    if (state !== undefined) this.nextState = state;
    return this.reports.run();
  }

  private collect(): ExposureCount[] {
    for (const count of this.options.takeExposures()) {
      const id = `${count.flagKey}\u0000${count.flagVersion}`;
      const old = this.pending.get(id);
      if (old === undefined && this.pending.size >= MAX_PENDING) continue;
      this.pending.set(
        id,
        old === undefined
          ? count
          : {
              ...count,
              evaluations: old.evaluations + count.evaluations,
              enabled: old.enabled + count.enabled,
              allowlisted: old.allowlisted + count.allowlisted,
              // Distinct per interval; merged intervals add up, as rows of the same minute do.
              subjects: old.subjects + count.subjects,
              subjectsEnabled: old.subjectsEnabled + count.subjectsEnabled,
            },
      );
    }
    return [...this.pending.values()];
  }

  private async report(): Promise<void> {
    const { options } = this;
    // Taken before the first await: a tick(state) from here on belongs to the next report.
    const state = this.nextState;
    this.nextState = undefined;
    try {
      const db = await options.db();
      if (options.heartbeat) {
        const status = options.status();
        await db.query(
          `insert into ${db.ident}.instances (id, app, host, pid, loaded_version, state, last_error)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (id) do update set last_seen_at = now(), loaded_version = excluded.loaded_version,
             state = excluded.state, last_error = excluded.last_error`,
          [
            options.instanceId,
            options.app,
            options.host,
            options.pid,
            status.version,
            state ?? status.state,
            status.lastError?.message ?? null,
          ],
        );
      }
      if (options.countExposures) {
        const counts = this.collect();
        if (counts.length > 0) {
          await db.query(
            `insert into ${db.ident}.exposures
               (flag_key, instance_id, flag_version, window_start, evaluations, enabled, allowlisted,
                subjects, subjects_enabled)
             select k, $1, v, date_trunc('minute', now()), e, n, a, s, se
             from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                         $7::bigint[], $8::bigint[]) as t(k, v, e, n, a, s, se)
             on conflict (flag_key, instance_id, flag_version, window_start) do update set
               evaluations = exposures.evaluations + excluded.evaluations,
               enabled = exposures.enabled + excluded.enabled,
               allowlisted = exposures.allowlisted + excluded.allowlisted,
               subjects = exposures.subjects + excluded.subjects,
               subjects_enabled = exposures.subjects_enabled + excluded.subjects_enabled`,
            [
              options.instanceId,
              counts.map((c) => c.flagKey),
              counts.map((c) => c.flagVersion),
              counts.map((c) => c.evaluations),
              counts.map((c) => c.enabled),
              counts.map((c) => c.allowlisted),
              counts.map((c) => c.subjects),
              counts.map((c) => c.subjectsEnabled),
            ],
          );
          this.pending.clear();
        }
      }
    } catch (caught) {
      if (!this.stopped) options.onError(toError(caught));
    }
  }

  /**
   * Stops the timer; with `final`, reports once more as `closed`. Everything, the report in flight included,
   * is bounded by `timeoutMs`: a hung network must not hold `close()`.
   */
  async stop(final: boolean, timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    // Only a reachable database gets a last report: close() must not wait out a connect timeout.
    if (
      final &&
      (this.options.heartbeat || this.options.countExposures) &&
      this.options.status().state === 'ready'
    ) {
      const last = (async () => {
        await this.reports.idle();
        await this.tick('closed');
      })();
      await settlesWithin(last, left());
    }
    this.stopped = true;
    await settlesWithin(this.reports.idle(), left());
  }
}
