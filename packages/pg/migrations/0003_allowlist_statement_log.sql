-- @kaviar/flags schema, version 3: allowlist changes are logged once per statement. Placeholders as in
-- 0001_init.sql. Never edit this file once released: add 0004_*.sql. Idempotent (`or replace`,
-- `if exists`), like 0002.
--
-- Why: the row trigger of 0001 took the store's version (the `state` row lock, which every write to any
-- flag needs) at the FIRST allowlist row a statement wrote, then logged each row to `changes` one by one,
-- so an import of 10^6 new ids held that lock for the whole minute its rows took to write.
--
-- Invariants (those of 0001, unchanged):
-- * Every transaction that changes flags or allowlist takes ONE new version from version_seq, while
--   holding the row lock on state, so versions become visible in commit order.
-- * Every change is in `changes` under that version; every such transaction sends one pg_notify.
-- What changes:
-- * Allowlist rows are logged by statement triggers AFTER the statement's rows are written, from its
--   transition tables, in one set-based insert: the version lock is taken only once the rows are in,
--   and held while one `insert ... select` logs them.
-- * `allowlist.version` is no longer set (new rows keep its default, 0): nothing reads it; the version of
--   an allowlist change is in `changes`. Flag rows keep their row trigger (`flags.version` is read).

-- `take_version` below is the transaction's version, taken at its first write (under the state row lock,
-- sending the NOTIFY) and the same for every later one. It is written out in each trigger function rather
-- than called as a function of its own: trigger functions run with the writer's privileges, and a writer
-- may not have EXECUTE on the schema's functions where a database revokes it from PUBLIC.

-- The row trigger, now for `flags` only (one row per flag written).
create or replace function {{schema}}.bump_version() returns trigger language plpgsql as $$
declare
  v bigint;
begin
  -- take_version
  v := nullif(current_setting('kaviar_flags.tx_version_' || md5({{schema_literal}}), true), '')::bigint;
  if v is null then
    update {{schema}}.state set version = nextval('{{schema}}.version_seq') returning version into v;
    perform set_config('kaviar_flags.tx_version_' || md5({{schema_literal}}), v::text, true);
    perform pg_notify('kaviar_flags', json_build_object('schema', {{schema_literal}}, 'version', v)::text);
  end if;
  if TG_OP = 'DELETE' then
    insert into {{schema}}.changes (version, flag_key, subject_id, op) values (v, old.key, null, 'delete');
    return old;
  end if;
  new.version := v;
  insert into {{schema}}.changes (version, flag_key, subject_id, op) values (v, new.key, null, 'upsert');
  if TG_OP = 'UPDATE' and old.key <> new.key then
    insert into {{schema}}.changes (version, flag_key, subject_id, op) values (v, old.key, null, 'delete');
  end if;
  return new;
end;
$$;

-- One per statement on `allowlist`; a statement that wrote no row takes no version.
create or replace function {{schema}}.log_allowlist_statement() returns trigger language plpgsql as $$
declare
  v bigint;
begin
  if TG_OP = 'DELETE' then
    perform 1 from old_rows limit 1;
  else
    perform 1 from new_rows limit 1;
  end if;
  if not found then
    return null;
  end if;
  -- take_version
  v := nullif(current_setting('kaviar_flags.tx_version_' || md5({{schema_literal}}), true), '')::bigint;
  if v is null then
    update {{schema}}.state set version = nextval('{{schema}}.version_seq') returning version into v;
    perform set_config('kaviar_flags.tx_version_' || md5({{schema_literal}}), v::text, true);
    perform pg_notify('kaviar_flags', json_build_object('schema', {{schema_literal}}, 'version', v)::text);
  end if;
  if TG_OP = 'INSERT' then
    insert into {{schema}}.changes (version, flag_key, subject_id, op)
      select v, flag_key, subject_id, 'upsert' from new_rows;
  elsif TG_OP = 'DELETE' then
    insert into {{schema}}.changes (version, flag_key, subject_id, op)
      select v, flag_key, subject_id, 'delete' from old_rows;
  else
    -- An update: every new identity is upserted; an old identity that no new row has is deleted.
    insert into {{schema}}.changes (version, flag_key, subject_id, op)
      select v, flag_key, subject_id, 'upsert' from new_rows
      union all
      select v, o.flag_key, o.subject_id, 'delete' from (
        select flag_key, subject_id from old_rows except select flag_key, subject_id from new_rows
      ) o;
  end if;
  return null;
end;
$$;

drop trigger if exists allowlist_version on {{schema}}.allowlist;
drop trigger if exists allowlist_log_insert on {{schema}}.allowlist;
drop trigger if exists allowlist_log_update on {{schema}}.allowlist;
drop trigger if exists allowlist_log_delete on {{schema}}.allowlist;
create trigger allowlist_log_insert after insert on {{schema}}.allowlist
  referencing new table as new_rows for each statement execute function {{schema}}.log_allowlist_statement();
create trigger allowlist_log_update after update on {{schema}}.allowlist
  referencing old table as old_rows new table as new_rows
  for each statement execute function {{schema}}.log_allowlist_statement();
create trigger allowlist_log_delete after delete on {{schema}}.allowlist
  referencing old table as old_rows for each statement execute function {{schema}}.log_allowlist_statement();
