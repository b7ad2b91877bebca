import { describe, expect, it } from 'vitest';
import { formatCheckpoint } from './format-checkpoint';
import type { Checkpoint } from './types';

const checkpoint: Checkpoint = {
  flagKey: 'passenger_favorites_matching',
  phase: 'ROLLOUT_1PCT',
  label: 'smoke-test-final',
  status: 'PASS',
  findings: [
    { name: 'rollout', status: 'PASS', message: 'rollout_percentage is 1 %', expected: 1, observed: 1 },
    {
      name: 'propagation',
      status: 'PASS',
      message: 'all 2 live instances serve version 9 or later',
      expected: null,
      observed: null,
      notes: ['web-2 was serving version 8 (rollout 5 %) and caught up'],
    },
    {
      name: 'exposures',
      status: 'SKIP',
      message: 'not enough data: 30 evaluations',
      expected: null,
      observed: null,
    },
  ],
  expected: { rolloutPercentage: 1 },
  configVersion: 9,
  at: new Date('2026-02-03T13:27:00.000Z'),
};

describe('formatCheckpoint', () => {
  it('prints a headline and every finding with its notes', () => {
    expect(formatCheckpoint(checkpoint)).toBe(
      [
        'PASS passenger_favorites_matching ROLLOUT_1PCT/smoke-test-final at 2026-02-03 13:27:00Z (config version 9)',
        '  PASS rollout: rollout_percentage is 1 %',
        '  PASS propagation: all 2 live instances serve version 9 or later',
        '      note: web-2 was serving version 8 (rollout 5 %) and caught up',
        '  SKIP exposures: not enough data: 30 evaluations',
      ].join('\n'),
    );
  });

  it('keeps only what needs attention (and passes with notes) when all is false', () => {
    expect(formatCheckpoint({ ...checkpoint, configVersion: null }, { all: false, notes: false })).toBe(
      [
        'PASS passenger_favorites_matching ROLLOUT_1PCT/smoke-test-final at 2026-02-03 13:27:00Z',
        '  PASS propagation: all 2 live instances serve version 9 or later',
      ].join('\n'),
    );
  });
});
