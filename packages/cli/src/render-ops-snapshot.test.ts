import { describe, expect, it } from 'vitest';
import { renderOpsSnapshot, type SnapshotCheckpoint } from './render-ops-snapshot';

const flag = {
  key: 'passenger_favorites_matching',
  enabled: true,
  rolloutPercentage: 1,
  description: '',
  version: 14,
  createdAt: new Date('2026-02-01T04:33:58.711Z'),
  updatedAt: new Date('2026-02-03T13:29:22.330Z'),
  updatedBy: 'goes',
  allowlistCount: 12,
};

const cp = (status: string, label: string, at: string, message = ''): SnapshotCheckpoint => ({
  status,
  phase: label === 'manual' ? 'phase2_rollout' : 'ROLLOUT_1PCT',
  label,
  at: new Date(at),
  configVersion: 14,
  expected: { rolloutPercentage: 1, enabled: true },
  findings: message
    ? [{ name: 'rollout', status, message }]
    : [{ name: 'rollout', status: 'PASS', message: 'ok' }],
});

// biome-ignore lint/suspicious/noTemplateCurlyInString: the shell text the document prints.
const DB = '--database-url "${DATABASE_URL:?set DATABASE_URL to the database this snapshot came from}"';

const input = {
  generatedAt: new Date('2026-02-03T22:12:00Z'),
  timeZone: 'America/Sao_Paulo',
  cliVersion: '0.1.0',
  source: 'postgres://app:***@db/kaviar',
  storeVersion: 14,
  flags: [flag],
  restoreFile: 'ops-snapshot-2026-02-03.json',
  checkpoints: new Map([
    [
      flag.key,
      [
        cp('PASS', 'manual', '2026-02-03T22:05:00Z'),
        cp('PASS', 'final-check', '2026-02-03T13:29:00Z'),
        cp('WARN', 'smoke-test-final', '2026-02-03T13:27:00Z', 'rollout_percentage is 5 %, expected 1 %'),
      ],
    ],
  ]),
};

describe('renderOpsSnapshot', () => {
  it('renders the seed document from data: flag JSON in the seed field names, checkpoints, drift, rollback', () => {
    const md = renderOpsSnapshot(input);
    expect(md.startsWith('# Ops snapshot - 2026-02-03 19:12:00 GMT-3\n')).toBe(true);
    expect(md).toContain(
      '```json\n{\n  "key": "passenger_favorites_matching",\n  "enabled": true,\n  "rollout_percentage": 1,\n' +
        '  "updated_at": "2026-02-03T13:29:22.330Z",\n  "created_at": "2026-02-01T04:33:58.711Z",\n',
    );
    expect(md).toContain('**Allowlist:** 12 subjects');
    expect(md).toContain(
      '#### 1. 2026-02-03 19:05:00 GMT-3\n- Status: **PASS** ✅\n- Phase: `phase2_rollout`\n- Label: `manual`\n',
    );
    expect(md).toContain(
      '#### 3. 2026-02-03 10:27:00 GMT-3\n- Status: **WARN** ⚠️\n- Phase: `ROLLOUT_1PCT`\n- Label: `smoke-test-final`\n' +
        '- Finding (rollout, WARN): rollout_percentage is 5 %, expected 1 %\n',
    );
    expect(md).toContain('- Rollout in the database: **1%** (the check expects 1%) ✅');
    expect(md).toContain(
      '- Earlier WARN at 2026-02-03 10:27:00 GMT-3 (`smoke-test-final`): rollout_percentage is 5 %, expected 1 %. It no longer holds',
    );
    expect(md).toContain('- **Conclusion:** no drift: the database matches the latest check.');
    expect(md).toContain(
      `kaviar-flags restore ops-snapshot-2026-02-03.json ${DB} --delete-missing --dry-run\n`,
    );
    expect(md).toContain(
      `kaviar-flags restore ops-snapshot-2026-02-03.json ${DB} --delete-missing --reason "rollback to the snapshot of 2026-02-03 19:12:00 GMT-3"`,
    );
    expect(md).toContain('`--delete-missing` deletes the flags created after this snapshot');
    expect(md).toContain(
      `kaviar-flags set passenger_favorites_matching ${DB} --enabled false --reason "rollback"`,
    );
    expect(md).not.toContain('$USER');
    expect(md).toContain('--rollout 0 --expect-rollout 1');
    expect(md).toContain('postgres://app:***@db/kaviar');
    // The footer does not contradict the header, which names the (masked) database.
    expect(md).toContain(
      'No complete connection string: the database appears as `postgres://app:***@db/kaviar` (any password masked) and the commands read it from `$DATABASE_URL`.',
    );
    expect(md).not.toMatch(/holds no connection strings/);
  });

  it('names an embedded database by its folder in every command, quoted for the shell', () => {
    const md = renderOpsSnapshot({
      ...input,
      source: 'embedded database in /srv/my ops/.kaviar-flags',
      database: { kind: 'embedded', dir: '/srv/my ops/.kaviar-flags' },
    });
    const commands = md.split('\n').filter((line) => line.startsWith('kaviar-flags '));
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const line of commands) expect(line).toContain(" --data-dir '/srv/my ops/.kaviar-flags'");
    expect(md).not.toContain('DATABASE_URL');
    expect(md).toContain('no connection string: the data is in the embedded database named above');
  });

  it('puts the responsible person and the time zone in the header', () => {
    const md = renderOpsSnapshot({ ...input, responsible: 'goes' });
    expect(md).toContain(
      '\n\n**Responsible:** goes  \n**Time zone:** America/Sao_Paulo (GMT-3), for every time below\n',
    );
  });

  it('calls out real drift and a change after the check', () => {
    const drifted = { ...flag, rolloutPercentage: 5, version: 15 };
    const md = renderOpsSnapshot({ ...input, flags: [drifted], schema: 'ops' });
    expect(md).toContain('- Rollout in the database: **5%** (the check expects 1%) ❌');
    expect(md).toContain('- The flag changed after this check (version 14 → 15): check again.');
    expect(md).toContain('- **Conclusion:** drift: rollout is 5%, expected 1%.');
    expect(md).not.toContain('Earlier WARN');
    expect(md).toContain(
      `kaviar-flags restore ops-snapshot-2026-02-03.json ${DB} --schema ops --delete-missing --dry-run`,
    );
  });

  it('says how to get a restorable file when written without --out, and handles no checks', () => {
    const md = renderOpsSnapshot({ ...input, restoreFile: undefined, checkpoints: new Map() });
    expect(md).toContain('no restorable JSON was written beside it');
    expect(md).toContain('No checkpoint recorded yet.');
    expect(md).toContain(
      '- No check recorded: run `kaviar-flags check passenger_favorites_matching ... --record`',
    );
  });
});
