import { describe, expect, it } from 'vitest';
import { html, raw } from './html';
import { flagPage } from './pages/flag-page';
import { flagsPage } from './pages/flags-page';
import type { FlagDetail } from './read-model';
import { redactCheckpoint } from './redact';
import { rolloutTimeline, stepAt } from './rollout-timeline';

const KEY = '<script>alert("key")</script>';
const ctx = { base: '', schema: 'kaviar_flags', renderedAt: new Date('2026-02-03T19:12:00Z') };
const flag = {
  key: KEY,
  enabled: true,
  rolloutPercentage: 1,
  description: '',
  version: 3,
  createdAt: new Date('2026-02-03T10:00:00Z'),
  updatedAt: new Date('2026-02-03T10:28:00Z'),
  updatedBy: 'goes',
  allowlistCount: 12,
};
const entry = (id: number, minute: number, rollout: number | null, before: number | null) => ({
  id,
  flagKey: KEY,
  action: before === null ? ('create' as const) : ('update' as const),
  actor: 'goes',
  reason: null,
  before: before === null ? null : { enabled: true, rolloutPercentage: before, description: '' },
  after: rollout === null ? null : { enabled: true, rolloutPercentage: rollout, description: '' },
  at: new Date(Date.UTC(2026, 1, 3, 10, minute)),
  version: id,
});

describe('html', () => {
  it('escapes every interpolated value, joins arrays, keeps only its own markup', () => {
    expect(html`<p title="${'"><b>'}">${['<i>', '&']}${raw('<br>')}${undefined}${false}</p>`.text).toBe(
      '<p title="&quot;&gt;&lt;b&gt;">&lt;i&gt;&amp;<br></p>',
    );
  });
});

describe('pages escape a hostile flag key', () => {
  it('on the flags page', () => {
    const page = flagsPage(ctx, [
      { flag, lastCheckpoint: undefined, live: 0, serving: 0, ramp: undefined },
    ]).text;
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('&lt;script&gt;alert(&quot;key&quot;)&lt;/script&gt;');
    expect(page).toContain(`href="/flags/${encodeURIComponent(KEY)}"`);
  });

  it('on the flag page, chart included', () => {
    const audit = [entry(1, 0, 1, null), entry(2, 20, 5, 1), entry(3, 28, 1, 5)];
    const detail: FlagDetail = {
      flag,
      steps: rolloutTimeline(audit),
      audit,
      checkpoints: [],
      exposures: [],
      instances: [],
      ramp: {
        state: 'paused',
        steps: [1, 5, 25],
        stepIndex: 1,
        currentPercent: 5,
        nextCheckAt: null,
        explanation: 'paused: rollout set to 40 % by <img src=x onerror=alert(1)>',
        startedBy: 'goes',
        startedAt: new Date('2026-02-03T10:00:00Z'),
      },
      now: new Date('2026-02-03T11:00:00Z'),
      confidence: 0.999,
    };
    const page = flagPage(ctx, detail).text;
    expect(page).toContain('data-ramp-state="paused">paused</span> at 5 %');
    expect(page).toContain(
      '1 % → 5 % → 25 %: paused: rollout set to 40 % by &lt;img src=x onerror=alert(1)&gt;',
    );
    expect(page).not.toContain('<img');
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('<h1 class="flag-key">&lt;script&gt;alert(&quot;key&quot;)&lt;/script&gt;</h1>');
  });
});

describe('rolloutTimeline', () => {
  it('turns audited changes into steps, oldest first, skipping allowlist changes', () => {
    const allowlist = {
      ...entry(9, 5, null, null),
      action: 'allowlist.add' as const,
      after: { added: 1, size: 1 },
    };
    const steps = rolloutTimeline([entry(3, 28, 1, 5), allowlist, entry(1, 0, 1, null), entry(2, 20, 5, 1)]);
    expect(steps.map((s) => s.rolloutPercentage)).toEqual([1, 5, 1]);
    expect(stepAt(steps, new Date(Date.UTC(2026, 1, 3, 10, 25)))?.rolloutPercentage).toBe(5);
    expect(stepAt(steps, new Date(Date.UTC(2026, 1, 3, 9, 0)))).toBeUndefined();
  });

  it('starts from the state before the oldest change read when the create is not in the log', () => {
    const steps = rolloutTimeline([entry(2, 20, 5, 1)]);
    expect(steps.map((s) => [s.action, s.rolloutPercentage])).toEqual([
      ['before', 1],
      ['update', 5],
    ]);
  });
});

describe('redactCheckpoint', () => {
  it('replaces required member ids in messages and keeps only a count', () => {
    const shown = redactCheckpoint({
      flagKey: 'f',
      phase: 'p',
      label: 'l',
      status: 'FAIL',
      expected: { allowlistIncludes: ['vip-1', 'vip-22'] },
      findings: [
        {
          name: 'allowlist',
          status: 'FAIL',
          message: 'allowlist is missing "vip-22"',
          expected: { includes: 2 },
          observed: { size: 1, missing: ['vip-22'] },
          notes: ['vip-1 was added by ana'],
        },
      ],
      configVersion: 1,
      at: new Date(),
    });
    const text = JSON.stringify(shown);
    expect(text).not.toMatch(/vip-1|vip-22/);
    expect(shown.requiredMembers).toBe(2);
    expect(shown.findings[0]?.message).toBe('allowlist is missing (an allowlist member)');
  });
});
