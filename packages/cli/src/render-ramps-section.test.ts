import type { Ramp } from '@kaviar/flags-pg';
import { describe, expect, it } from 'vitest';
import { renderRampsSection } from './render-ramps-section';

const ramp: Ramp = {
  id: 1,
  flagKey: 'passenger_favorites_matching',
  steps: [1, 5, 25],
  phases: ['ramp_1pct', 'ramp_5pct', 'ramp_25pct'],
  holdMs: 1_800_000,
  rollbackTo: 'previous',
  initialRollout: 0,
  expectEnabled: true,
  expectAllowlistSize: 12,
  guards: [{ name: 'check_error_rate', command: './check_error_rate' }],
  maxHolds: 3,
  state: 'rolled_back',
  stepIndex: 2,
  currentPercent: 25,
  stepStartedAt: new Date('2026-02-03T15:00:00Z'),
  nextCheckAt: null,
  holds: 0,
  flagVersion: 7,
  revision: 4,
  startedBy: 'goes',
  reason: 'phase 2 rollout',
  startedAt: new Date('2026-02-03T14:00:00Z'),
  updatedAt: new Date('2026-02-03T15:30:00Z'),
  endedAt: new Date('2026-02-03T15:30:00Z'),
  explanation:
    'rolled back 25 % → 5 % at 2026-02-03 15:30:00Z: guard `check_error_rate` CRITICAL: 3.1 % errors',
  history: [
    {
      step: 0,
      percent: 1,
      phase: 'ramp_1pct',
      status: null,
      decision: 'started',
      checkpointId: null,
      at: '2026-02-03T14:00:00Z',
      explanation: 'started by goes',
    },
    {
      step: 0,
      percent: 1,
      phase: 'ramp_1pct',
      status: 'PASS',
      decision: 'advanced',
      checkpointId: 11,
      at: '2026-02-03T14:30:00Z',
      explanation: 'advanced 1 % → 5 %',
    },
    {
      step: 1,
      percent: 5,
      phase: 'ramp_5pct',
      status: 'PASS',
      decision: 'advanced',
      checkpointId: 12,
      at: '2026-02-03T15:00:00Z',
      explanation: 'advanced 5 % → 25 %',
    },
    {
      step: 2,
      percent: 25,
      phase: 'ramp_25pct',
      status: 'FAIL',
      decision: 'rolled_back',
      checkpointId: 13,
      at: '2026-02-03T15:30:00Z',
      explanation:
        'rolled back 25 % → 5 % at 2026-02-03 15:30:00Z: guard `check_error_rate` CRITICAL: 3.1 % errors',
    },
  ],
  leaseOwner: null,
  leaseUntil: null,
};

describe('renderRampsSection', () => {
  it('tells each flag’s ramp: state, steps, who started it, and the story with its checkpoints', () => {
    const older = { ...ramp, id: 0, state: 'completed' as const };
    expect(renderRampsSection([ramp, older], 'America/Sao_Paulo').join('\n')).toBe(
      [
        '## Ramps',
        '',
        '### passenger_favorites_matching',
        '',
        '- **State:** rolled back from 25 % (step 3 of 3)',
        '- **Steps:** 1 % ✓ → 5 % ✓ → 25 %, each held 30 min; guards: `check_error_rate`',
        '- **Started:** by goes at 2026-02-03 11:00:00 GMT-3 (reason: phase 2 rollout)',
        '',
        '**Story:**',
        '',
        '1. 2026-02-03 11:00:00 GMT-3: started by goes',
        '2. 2026-02-03 11:30:00 GMT-3 **PASS**: advanced 1 % → 5 % (checkpoint #11)',
        '3. 2026-02-03 12:00:00 GMT-3 **PASS**: advanced 5 % → 25 % (checkpoint #12)',
        '4. 2026-02-03 12:30:00 GMT-3 **FAIL**: rolled back 25 % → 5 % at 2026-02-03 15:30:00Z: guard `check_error_rate` CRITICAL: 3.1 % errors (checkpoint #13)',
        '',
      ].join('\n'),
    );
  });

  it('says so when there is none', () => {
    expect(renderRampsSection([], 'UTC')).toEqual(['## Ramps', '', 'No ramps.', '']);
  });
});
