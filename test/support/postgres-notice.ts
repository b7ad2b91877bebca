/**
 * The test run's global setup: without DATABASE_URL, says in one line that the Postgres suites are
 * skipped (their PGlite twins still run) and how to run them.
 */
export default function setup(): void {
  if (process.env.DATABASE_URL || process.env.KAVIAR_FLAGS_REQUIRE_DB === '1') return;
  // Projects inherit the root's global setup: say it once per run.
  if (process.env.KAVIAR_FLAGS_SKIP_NOTICE_SHOWN) return;
  process.env.KAVIAR_FLAGS_SKIP_NOTICE_SHOWN = '1';
  process.stdout.write(
    'Postgres suites skipped (no DATABASE_URL): run them with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test KAVIAR_FLAGS_REQUIRE_DB=1 npm test\n',
  );
}
