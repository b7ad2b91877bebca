-- @kaviar/flags schema, version 2: guarded ramps. Placeholders as in 0001_init.sql. Never edit this file
-- once released: add 0003_*.sql. Written idempotent (`if not exists`) so a team that applies the shipped
-- SQL with its own tool can re-run it safely.
--
-- Invariants:
-- * At most one ramp per flag is in progress (`active`, `holding` or `paused`): a partial unique index.
-- * Every change of a ramp's row bumps `revision`, so a writer that read revision r changes it only if it
--   is still r (compare-and-set), and writes an audit row (`ramp.*`) in the same transaction.
-- * `flag_version` is the flag's configuration version the ramp last wrote or accepted: a higher version
--   means someone else changed the flag or its allowlist during the ramp, and the ramp pauses.
-- * A ticker claims a due ramp by setting `lease_owner`/`lease_until` (under an advisory lock), checks it
--   outside any transaction, and clears the lease with its transition; an expired lease is free again.

create table if not exists {{schema}}.ramps (
  id bigint generated always as identity primary key,
  flag_key text not null references {{schema}}.flags (key) on delete cascade,
  -- Percentages, strictly increasing (checked by the package), each a valid rollout above 0.
  steps numeric(5, 2)[] not null
    check (cardinality(steps) between 1 and 100 and 0 < all (steps) and 100 >= all (steps)),
  -- The checkpoint phase of each step (`ramp_5pct` unless named at start).
  phases text[] not null check (cardinality(phases) = cardinality(steps)),
  hold_ms bigint not null check (hold_ms > 0),
  -- `previous`: the previous step that passed (before the first step: the rollout the flag had, when
  -- lower); `zero`: 0 %.
  rollback_to text not null check (rollback_to in ('previous', 'zero')),
  initial_rollout numeric(5, 2) not null check (initial_rollout >= 0 and initial_rollout <= 100),
  expect_enabled boolean not null,
  expect_allowlist_size integer not null check (expect_allowlist_size >= 0),
  -- Guard commands: [{ "name": ..., "command": ... }].
  guards jsonb not null default '[]',
  max_holds integer not null default 3 check (max_holds >= 1),
  state text not null
    check (state in ('active', 'holding', 'paused', 'completed', 'rolled_back', 'aborted')),
  step_index integer not null default 0 check (step_index >= 0 and step_index < cardinality(steps)),
  step_started_at timestamptz not null,
  next_check_at timestamptz,
  -- Consecutive checks without PASS at the current step.
  holds integer not null default 0 check (holds >= 0),
  flag_version bigint not null,
  revision integer not null default 1,
  lease_owner text,
  lease_until timestamptz,
  started_by text not null check (length(started_by) > 0),
  reason text,
  started_at timestamptz not null,
  updated_at timestamptz not null,
  ended_at timestamptz,
  -- The latest decision in plain words.
  explanation text not null default '',
  -- One entry per check: [{ "step", "percent", "phase", "status", "decision", "checkpointId", "at", "explanation" }].
  step_results jsonb not null default '[]'
);

create unique index if not exists ramps_one_in_progress_idx on {{schema}}.ramps (flag_key)
  where state in ('active', 'holding', 'paused');
create index if not exists ramps_due_idx on {{schema}}.ramps (next_check_at)
  where state in ('active', 'holding');
create index if not exists ramps_flag_started_idx on {{schema}}.ramps (flag_key, started_at desc, id desc);
