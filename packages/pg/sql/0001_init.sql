-- @kaviar/flags-pg migration 0001_init for schema "kaviar_flags": one idempotent statement; it records
-- version 1 in "kaviar_flags".schema_migrations, where migrate() and the client look.
-- Generated from @kaviar/flags-pg; never edit it (a later version adds a new numbered file).
do $kaviar_flags_migration$
declare
  current_version integer;
begin
  perform pg_advisory_xact_lock(27494, hashtext('kaviar_flags'));
  -- Checked first so a role without CREATE on the database can still upgrade an existing schema.
  if not exists (select 1 from pg_namespace where nspname = 'kaviar_flags') then
    execute 'create schema "kaviar_flags"';
  end if;
  execute $kaviar_flags_migration_body$create table if not exists "kaviar_flags".schema_migrations (
       version integer primary key,
       name text not null,
       applied_at timestamptz not null default now()
     )$kaviar_flags_migration_body$;
  select coalesce(max(version), 0) into current_version from "kaviar_flags".schema_migrations;
  if current_version >= 1 then
    raise notice 'kaviar_flags: schema % is at migration %, % already applied', 'kaviar_flags', current_version, '0001_init';
    return;
  end if;
  execute $kaviar_flags_migration_body$
-- @kaviar/flags schema, version 1.
-- `"kaviar_flags"` is replaced by the quoted schema identifier, `'kaviar_flags'` by it as a SQL string
-- literal (for pg_notify payloads), before this runs. Never edit this file once released: add 0002_*.sql.
--
-- Invariants:
-- * Every transaction that changes flags or allowlist takes ONE new version from version_seq, while
--   holding the row lock on state, so versions become visible in commit order: a reader that has seen
--   version v and later reads `state.version = w` finds every change in (v, w] in `changes`.
-- * Every such transaction sends pg_notify('kaviar_flags', '{"schema": ..., "version": ...}').

-- pruned_through: `changes` holds every change with a version above it (older rows may be pruned), so a
-- reader at version v can load incrementally iff v >= pruned_through, and must load everything otherwise.
create table "kaviar_flags".state (
  id boolean primary key default true check (id),
  version bigint not null default 0,
  pruned_through bigint not null default 0
);
insert into "kaviar_flags".state (id, version) values (true, 0);

create sequence "kaviar_flags".version_seq;

create table "kaviar_flags".flags (
  key text primary key check (key ~ '^[a-z0-9][a-z0-9_.-]{0,127}$'),
  enabled boolean not null default false,
  rollout_percentage numeric(5, 2) not null default 0
    check (rollout_percentage >= 0 and rollout_percentage <= 100),
  description text not null default '',
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by text not null default 'unknown'
);

create table "kaviar_flags".allowlist (
  flag_key text not null references "kaviar_flags".flags (key) on delete cascade,
  subject_id text not null check (length(subject_id) between 1 and 1024),
  added_at timestamptz not null default now(),
  added_by text not null default 'unknown',
  version bigint not null default 0,
  primary key (flag_key, subject_id)
);

-- One row per changed flag or allowlist entry; lets a poll load only what changed since a version.
-- subject_id is null for a change to the flag row itself. op: 'upsert' | 'delete'.
create table "kaviar_flags".changes (
  version bigint not null,
  flag_key text not null,
  subject_id text,
  op text not null check (op in ('upsert', 'delete'))
);
create index changes_version_idx on "kaviar_flags".changes (version);

create table "kaviar_flags".audit (
  id bigint generated always as identity primary key,
  flag_key text not null,
  action text not null,
  actor text not null check (length(actor) > 0),
  reason text,
  before jsonb,
  after jsonb,
  at timestamptz not null default now(),
  version bigint
);
create index audit_flag_at_idx on "kaviar_flags".audit (flag_key, at desc, id desc);

create table "kaviar_flags".checkpoints (
  id bigint generated always as identity primary key,
  flag_key text not null,
  phase text not null,
  label text not null,
  status text not null check (status in ('PASS', 'WARN', 'FAIL', 'UNKNOWN')),
  expected jsonb not null default '{}',
  findings jsonb not null default '[]',
  config_version bigint,
  at timestamptz not null default now()
);
create index checkpoints_flag_at_idx on "kaviar_flags".checkpoints (flag_key, at desc, id desc);

create table "kaviar_flags".instances (
  id text primary key,
  app text not null default '',
  host text not null default '',
  pid integer,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  loaded_version bigint not null default 0,
  state text not null default 'starting',
  last_error text
);

-- Evaluation counts per flag, instance, flag version and time window (evaluations with a subject id).
-- enabled includes allowlisted. Per-call counts; see subjects for the rollout share.
create table "kaviar_flags".exposures (
  flag_key text not null,
  instance_id text not null,
  flag_version bigint not null,
  window_start timestamptz not null,
  evaluations bigint not null default 0 check (evaluations >= 0),
  enabled bigint not null default 0 check (enabled >= 0 and enabled <= evaluations),
  allowlisted bigint not null default 0 check (allowlisted >= 0 and allowlisted <= enabled),
  -- Distinct non-allowlisted subjects per client flush interval, summed; the rollout share is
  -- subjects_enabled / subjects (a busy subject weighs once per interval, not once per call).
  subjects bigint not null default 0 check (subjects >= 0),
  subjects_enabled bigint not null default 0 check (subjects_enabled >= 0 and subjects_enabled <= subjects),
  primary key (flag_key, instance_id, flag_version, window_start)
);

create function "kaviar_flags".bump_version() returns trigger language plpgsql as $$
declare
  v bigint;
  k text;
  s text;
  o text;
begin
  -- One version per transaction, taken under the state row lock (see the invariants above).
  v := nullif(current_setting('kaviar_flags.tx_version_' || md5('kaviar_flags'), true), '')::bigint;
  if v is null then
    update "kaviar_flags".state set version = nextval('"kaviar_flags".version_seq') returning version into v;
    perform set_config('kaviar_flags.tx_version_' || md5('kaviar_flags'), v::text, true);
    perform pg_notify('kaviar_flags', json_build_object('schema', 'kaviar_flags', 'version', v)::text);
  end if;
  if TG_OP = 'DELETE' then
    o := 'delete';
  else
    o := 'upsert';
    new.version := v;
  end if;
  if TG_TABLE_NAME = 'flags' then
    k := case when TG_OP = 'DELETE' then old.key else new.key end;
    s := null;
  else
    k := case when TG_OP = 'DELETE' then old.flag_key else new.flag_key end;
    s := case when TG_OP = 'DELETE' then old.subject_id else new.subject_id end;
  end if;
  insert into "kaviar_flags".changes (version, flag_key, subject_id, op) values (v, k, s, o);
  -- An update that changes a row's identity also removes the old identity (separate ifs: a record only
  -- has the fields of its own table).
  if TG_OP = 'UPDATE' then
    if TG_TABLE_NAME = 'flags' then
      if old.key <> new.key then
        insert into "kaviar_flags".changes (version, flag_key, subject_id, op) values (v, old.key, null, 'delete');
      end if;
    elsif old.flag_key <> new.flag_key or old.subject_id <> new.subject_id then
      insert into "kaviar_flags".changes (version, flag_key, subject_id, op)
        values (v, old.flag_key, old.subject_id, 'delete');
    end if;
  end if;
  if TG_OP = 'DELETE' then
    return old;
  end if;
  return new;
end;
$$;

create trigger flags_version before insert or update or delete on "kaviar_flags".flags
  for each row execute function "kaviar_flags".bump_version();
create trigger allowlist_version before insert or update or delete on "kaviar_flags".allowlist
  for each row execute function "kaviar_flags".bump_version();

$kaviar_flags_migration_body$;
  insert into "kaviar_flags".schema_migrations (version, name) values (1, '0001_init');
end
$kaviar_flags_migration$;
