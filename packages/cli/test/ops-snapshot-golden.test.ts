import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOperatorSection } from '../src/operator-sections';
import { renderOpsSnapshot, type SnapshotCheckpoint } from '../src/render-ops-snapshot';

/*
 * The seed's ops snapshot (2026-02-03, passenger_favorites_matching at 1 %, a false-positive WARN that
 * no longer holds, the code tagged and branched), rendered from fixed data: every time is given, none
 * read from a clock. The expected document is `golden/ops-snapshot-seed.md`; after an intended change,
 * review the diff and update it with `npx vitest run --project cli -u test/ops-snapshot-golden.test.ts`.
 */

const fixture = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');

const flag = {
  key: 'passenger_favorites_matching',
  enabled: true,
  rolloutPercentage: 1,
  description: 'Match passengers with their favourite drivers',
  version: 14,
  createdAt: new Date('2026-02-01T04:33:58.711Z'),
  updatedAt: new Date('2026-02-03T13:29:22.330Z'),
  updatedBy: 'goes',
  allowlistCount: 12,
};

const checkpoint = (
  status: string,
  phase: string,
  label: string,
  at: string,
  configVersion: number,
  finding?: string,
): SnapshotCheckpoint => ({
  status,
  phase,
  label,
  at: new Date(at),
  configVersion,
  expected: { enabled: true, rolloutPercentage: 1, allowlistSize: 12 },
  findings: finding
    ? [{ name: 'rollout', status, message: finding }]
    : [{ name: 'rollout', status: 'PASS', message: 'rollout_percentage is 1 %' }],
});

describe('the seed ops snapshot', () => {
  it('renders exactly the golden document', async () => {
    const md = renderOpsSnapshot({
      generatedAt: new Date('2026-02-03T22:12:00.000Z'),
      timeZone: 'America/Sao_Paulo',
      cliVersion: '0.1.0',
      source: 'postgres://kaviar:***@kaviar-db.c9xyz.us-east-2.rds.amazonaws.com:5432/kaviar',
      storeVersion: 14,
      flags: [flag],
      checkpoints: new Map([
        [
          flag.key,
          [
            checkpoint('PASS', 'phase2_rollout', 'manual', '2026-02-03T22:05:00Z', 14),
            checkpoint('PASS', 'ROLLOUT_1PCT', 'final-check', '2026-02-03T13:29:00Z', 14),
            checkpoint(
              'WARN',
              'ROLLOUT_1PCT',
              'smoke-test-final',
              '2026-02-03T13:27:00Z',
              13,
              'rollout_percentage is 5 %, expected 1 %: set from 1 % to 5 % by deploy-bot at 2026-02-03 10:26:00 GMT-3 (reason: synced from a stale config_json copy)',
            ),
          ],
        ],
      ]),
      restoreFile: '/home/goes/kaviar/ops/ops-snapshot-2026-02-03.json',
      database: { kind: 'server' },
      responsible: 'goes',
      git: {
        state: {
          dir: '/home/goes/kaviar',
          sha: '44ca2f04f368187240de0baf66d6f08e2d82ce34',
          branch: 'main',
          tags: [],
          subject: 'chore(snapshot): state before drift fix + analysis (2026-02-03)',
          changedPaths: [],
          changedCount: 0,
        },
        createdTag: 'snapshot-2026-02-03',
        createdBranch: 'backup/snapshot-2026-02-03',
      },
      sections: [
        parseOperatorSection('infra.md', fixture('seed-infra.md'), false),
        parseOperatorSection('todos.md', fixture('seed-todos.md'), false),
      ],
    });
    await expect(md).toMatchFileSnapshot('./golden/ops-snapshot-seed.md');
  });
});
