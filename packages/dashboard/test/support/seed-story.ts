/**
 * The seed's rollout story as dashboard fixtures: passenger_favorites_matching at 1 % with 12
 * allowlisted passengers, checked (PASS), set to 5 % by mistake, checked (FAIL), rolled back to 1 %,
 * checked (PASS); plus instances (one behind, one presumed gone) and exposure counts per version.
 * Writes and checks go through the public API; afterwards the audit and checkpoint times (and the
 * times quoted inside findings) are spread over an afternoon so the timeline reads like the real one,
 * and instance and exposure rows are inserted as clients would have reported them.
 */
import { checkFlag } from '../../../monitor/src/index';
import { createFlag, type FlagsDb, importAllowlist, updateFlag } from '../../../pg/src/index';

export const FLAG = 'passenger_favorites_matching';
/** Allowlist members: must never appear in a response. */
export const MEMBERS = Array.from(
  { length: 12 },
  (_, i) => `vip-passenger-${String(i + 1).padStart(3, '0')}`,
);

const MINUTE = 60_000;

export interface SeededStory {
  /** Rollout after each audited change of the flag row, oldest first. */
  readonly rollouts: readonly number[];
  /** Checkpoint verdicts, oldest first. */
  readonly statuses: readonly string[];
  /** Versions: 1 % (after the allowlist import), 5 %, 1 % again. */
  readonly versions: { readonly first: number; readonly bumped: number; readonly current: number };
}

function utc(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 19)}Z`;
}

async function check(db: FlagsDb, phase: string, label: string) {
  return checkFlag(db, FLAG, {
    phase,
    label,
    expect: { enabled: true, rolloutPercentage: 1, allowlistSize: 12 },
    settleMs: 0,
    record: true,
  });
}

/** Seeds the story; `end` is when the last check ran (default: 10 minutes ago). */
export async function seedStory(db: FlagsDb, end = new Date(Date.now() - 10 * MINUTE)): Promise<SeededStory> {
  const s = db.ident;
  await createFlag(
    db,
    {
      key: FLAG,
      enabled: true,
      rolloutPercentage: 1,
      description: 'Match passengers with their favourite drivers',
    },
    { actor: 'goes', reason: 'phase 2 rollout' },
  );
  await importAllowlist(db, FLAG, MEMBERS, { actor: 'goes', reason: 'beta passengers' });
  const first = await check(db, 'ROLLOUT_1PCT', 'smoke-test');
  await updateFlag(
    db,
    FLAG,
    { rolloutPercentage: 5 },
    { actor: 'config-sync', reason: 'config_json copied from staging' },
  );
  const second = await check(db, 'ROLLOUT_1PCT', 'smoke-test-final');
  await updateFlag(
    db,
    FLAG,
    { rolloutPercentage: 1 },
    { actor: 'goes', reason: 'rollback: 5 % was never approved', expect: { rolloutPercentage: 5 } },
  );
  const third = await check(db, 'phase2_rollout', 'final-check');

  // Spread the story: audit rows and checkpoints get the times of a real afternoon.
  const start = end.getTime() - 150 * MINUTE;
  const auditTimes = [0, 2, 62, 80].map((m) => new Date(start + m * MINUTE));
  const checkTimes = [20, 70, 95].map((m) => new Date(start + m * MINUTE));
  const audit = await db.query<{ id: number; at: Date }>(
    `select id::float8 as id, at from ${s}.audit where flag_key = $1 order by id`,
    [FLAG],
  );
  const renames = new Map<string, string>();
  for (const [i, row] of audit.rows.entries()) {
    const at = auditTimes[i] ?? auditTimes[auditTimes.length - 1]!;
    const old = row.at instanceof Date ? row.at : new Date(String(row.at));
    renames.set(old.toISOString(), at.toISOString());
    renames.set(utc(old), utc(at));
    await db.query(`update ${s}.audit set at = $2 where id = $1`, [row.id, at]);
  }
  const checkpoints = [first, second, third];
  for (const [i, cp] of checkpoints.entries()) {
    renames.set(cp.at.toISOString(), checkTimes[i]!.toISOString());
    renames.set(utc(cp.at), utc(checkTimes[i]!));
  }
  for (const [i, cp] of checkpoints.entries()) {
    let findings = JSON.stringify(cp.findings);
    for (const [from, to] of renames) findings = findings.split(from).join(to);
    await db.query(`update ${s}.checkpoints set at = $2, findings = $3::jsonb where id = $1`, [
      cp.id,
      checkTimes[i],
      findings,
    ]);
  }
  // The row's own times too, without the version trigger (this is history being written, not a change).
  await db.exec(`alter table ${s}.flags disable trigger flags_version`);
  await db.query(`update ${s}.flags set created_at = $2, updated_at = $3 where key = $1`, [
    FLAG,
    auditTimes[0],
    auditTimes[3],
  ]);
  await db.exec(`alter table ${s}.flags enable trigger flags_version`);

  const versions = await db.query<{ version: number }>(
    `select version::float8 as version from ${s}.audit where flag_key = $1 order by id`,
    [FLAG],
  );
  const [, imported, bumped, current] = versions.rows.map((r) => Number(r.version));
  const v = { first: imported!, bumped: bumped!, current: current! };

  // Instances as their heartbeats would have left them.
  const instance = (id: string, host: string, version: number, seenAgoMs: number, state = 'ready') =>
    db.query(
      `insert into ${s}.instances (id, app, host, pid, started_at, last_seen_at, loaded_version, state)
       values ($1, 'backend', $2, $3, now() - interval '3 hours', now() - make_interval(secs => $4::float8 / 1000), $5, $6)`,
      [id, host, 4000 + id.length, seenAgoMs, version, state],
    );
  await instance('backend-a1', 'ip-10-0-1-17', v.current, 4_000);
  await instance('backend-a2', 'ip-10-0-1-42', v.current, 9_000);
  await instance('backend-b1', 'ip-10-0-2-8', v.bumped, 1_000);
  await instance('backend-old', 'ip-10-0-3-5', v.first, 95 * MINUTE);

  // Exposure counts: four instances per minute window, distinct passengers per window.
  const exposures = async (
    version: number,
    from: number,
    minutes: number,
    perWindow: number,
    share: number,
  ) => {
    for (let m = 0; m < minutes; m++) {
      for (const id of ['backend-a1', 'backend-a2', 'backend-b1', 'backend-old']) {
        const jitter = ((m * 7 + id.length * 13) % 11) - 5;
        const enabled = Math.round(perWindow * share + jitter * Math.sqrt(perWindow * share) * 0.15);
        await db.query(
          `insert into ${s}.exposures (flag_key, instance_id, flag_version, window_start, evaluations, enabled,
             allowlisted, subjects, subjects_enabled) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            FLAG,
            id,
            version,
            new Date(from + m * MINUTE),
            perWindow * 3,
            enabled * 3 + 6,
            6,
            perWindow,
            enabled,
          ],
        );
      }
    }
  };
  await exposures(v.first, auditTimes[1]!.getTime(), 12, 6000, 0.01);
  await exposures(v.bumped, auditTimes[2]!.getTime() + MINUTE, 6, 6000, 0.05);
  await exposures(v.current, auditTimes[3]!.getTime() + MINUTE, 12, 6000, 0.0102);

  return {
    rollouts: [1, 5, 1],
    statuses: checkpoints.map((c) => c.status),
    versions: v,
  };
}
