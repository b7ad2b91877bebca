/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators' innerText(), which is the rendered text the test means, not the DOM property
/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (no browser download),
 * over a database seeded with the seed's story. Checks the flags table, the chart's points and markers
 * for the known history (1 % → 5 % → 1 % with PASS, FAIL, PASS), the marker popover, a change made
 * through the API appearing on the open page without a reload, the checkpoint filter, 320 px, dark
 * mode and pages without JavaScript. Saves a screenshot of each page under `screenshots/` (git-ignored).
 *
 * Chromium: `KAVIAR_FLAGS_CHROMIUM` or /usr/bin/chromium. Missing, the suite is skipped, unless
 * `KAVIAR_FLAGS_REQUIRE_BROWSER=1` (CI) makes that a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestDb, openTestDb, testDatabaseKinds } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { createFlag, type FlagsDb, updateFlag } from '../../pg/src/index';
import { type DashboardServer, serveDashboard } from '../src/index';
import { FLAG, seedStory } from './support/seed-story';

guardLeaks();

const CHROMIUM = process.env.KAVIAR_FLAGS_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.KAVIAR_FLAGS_REQUIRE_BROWSER === '1';
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const available = existsSync(CHROMIUM);
if (!available && REQUIRED) {
  it('chromium is installed (KAVIAR_FLAGS_REQUIRE_BROWSER=1)', () => {
    throw new Error(`No browser at ${CHROMIUM}: apt-get install -y chromium`);
  });
}

describe.skipIf(!available)(`in Chromium, on ${testDatabaseKinds()[0]}`, () => {
  let db: FlagsDb | undefined;
  let server: DashboardServer | undefined;
  let userDataDir = '';
  let browser: BrowserContext | undefined;
  let base = '';
  const problems: string[] = [];

  async function open(
    path: string,
    options: { width?: number; dark?: boolean; js?: boolean } = {},
  ): Promise<Page> {
    const page = await browser!.newPage();
    await page.setViewportSize({ width: options.width ?? 1280, height: 900 });
    if (options.dark) await page.emulateMedia({ colorScheme: 'dark' });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${path}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${path}: ${e.message}`));
    await page.goto(base + path);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    db = await openTestDb(testDatabaseKinds()[0]!);
    // Neighbours on the flags page: one switched off, one never checked.
    await createFlag(
      db,
      {
        key: 'driver_heatmap',
        enabled: false,
        rolloutPercentage: 0,
        description: 'Heatmap of waiting passengers for drivers',
      },
      { actor: 'marina', reason: 'paused for the holidays' },
    );
    await createFlag(
      db,
      { key: 'surge_pricing_v2', enabled: true, rolloutPercentage: 25 },
      { actor: 'deploy-bot', reason: 'pricing experiment' },
    );
    await seedStory(db);
    server = await serveDashboard({ db, port: 0, liveWindowMs: 86_400_000 });
    base = server.url.replace(/\/$/, '');
    userDataDir = mkdtempSync(join(tmpdir(), 'kaviar-dashboard-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: FLAGS,
      timezoneId: 'America/Sao_Paulo',
      locale: 'en-US',
      colorScheme: 'light',
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (db) await dropTestDb(db);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('flags page: the table, times in the browser zone with UTC on hover', async () => {
    const page = await open('/');
    const row = page.locator(`tr[data-flag="${FLAG}"]`);
    await expect.poll(() => row.count()).toBe(1);
    const cell = (label: string) => row.locator(`[data-label="${label}"]`).innerText();
    expect(await cell('Rollout')).toBe('1 %');
    expect(await cell('Allowlist')).toBe('12');
    expect(await cell('Enabled')).toBe('on');
    expect(await cell('Last check')).toMatch(/PASS\s+phase2_rollout \/ final-check/);
    const time = row.locator('[data-label="Updated"] time');
    expect(await time.innerText()).not.toContain('UTC');
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await page.screenshot({ path: join(SHOTS, 'flags.png'), fullPage: true });
    await page.close();
  });

  it('flag page: the chart draws 1 % → 5 % → 1 % with PASS, FAIL, PASS markers on the line', async () => {
    const page = await open(`/flags/${FLAG}`);
    const points = await page.$$eval('svg.timeline circle.point', (els) =>
      els.map((e) => ({
        rollout: Number(e.getAttribute('data-rollout')),
        x: Number(e.getAttribute('cx')),
        y: Number(e.getAttribute('cy')),
      })),
    );
    expect(points.map((p) => p.rollout)).toEqual([1, 5, 1]);
    const markers = await page.$$eval('svg.timeline a.marker', (els) =>
      els
        .map((e) => {
          const box = (e.querySelector('circle, path, rect') as SVGGraphicsElement).getBBox();
          return {
            status: e.getAttribute('data-status'),
            x: box.x + box.width / 2,
            y: box.y + box.height / 2,
          };
        })
        .sort((a, b) => a.x - b.x),
    );
    expect(markers.map((m) => m.status)).toEqual(['PASS', 'FAIL', 'PASS']);
    const [p1, p5, pBack] = points as [(typeof points)[0], (typeof points)[0], (typeof points)[0]];
    const [m1, m2, m3] = markers as [(typeof markers)[0], (typeof markers)[0], (typeof markers)[0]];
    // Each marker sits on the rollout in force when the check ran.
    expect(m1.x).toBeGreaterThan(p1.x);
    expect(m1.x).toBeLessThan(p5.x);
    expect(m1.y).toBeCloseTo(p1.y, 0);
    expect(m2.x).toBeGreaterThan(p5.x);
    expect(m2.x).toBeLessThan(pBack.x);
    expect(m2.y).toBeCloseTo(p5.y, 0);
    expect(m3.x).toBeGreaterThan(pBack.x);
    expect(m3.y).toBeCloseTo(pBack.y, 0);
    expect(p5.y).toBeLessThan(p1.y);
    // Status words beside the colours.
    expect(await page.locator('svg.timeline .marker-label').allTextContents()).toEqual(
      expect.arrayContaining(['PASS', 'FAIL']),
    );

    // Hover shows the findings with the audit quote.
    const popover = page.locator('#marker-popover');
    await page.hover('a.marker[data-status="FAIL"]');
    await expect.poll(() => popover.isVisible()).toBe(true);
    expect(await popover.innerText()).toMatch(
      /rollout_percentage is 5 %[\s\S]*config-sync[\s\S]*config_json copied from staging/,
    );
    await page.screenshot({ path: join(SHOTS, 'flag.png'), fullPage: true });

    // Keyboard: the markers are focusable; Enter opens the checkpoint's findings.
    await page.mouse.move(0, 0);
    await page.keyboard.press('Escape');
    let focused = '';
    for (let i = 0; i < 40 && focused !== 'PASS'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-status') ?? '');
    }
    expect(focused).toBe('PASS');
    await expect.poll(() => popover.isVisible()).toBe(true);
    const id = await page.evaluate(() => document.activeElement?.getAttribute('data-checkpoint'));
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator(`#checkpoint-${id}`).evaluate((d) => (d as HTMLDetailsElement).open))
      .toBe(true);

    // The picture for the README: the chart and the FAIL checkpoint opened below it.
    await page.keyboard.press('Escape');
    await page.mouse.move(0, 0);
    await page.evaluate(() => {
      for (const d of document.querySelectorAll('details.checkpoint')) {
        (d as HTMLDetailsElement).open = d.getAttribute('data-status') === 'FAIL';
      }
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    await expect.poll(() => popover.isVisible()).toBe(false);
    await page.setViewportSize({ width: 1280, height: 1330 });
    await page.screenshot({ path: join(SHOTS, 'flag-top.png') });
    await page.close();
  });

  it('a change made through the API appears on the open page without a reload', async () => {
    const page = await open(`/flags/${FLAG}`);
    await expect.poll(() => page.locator('#freshness').getAttribute('data-state')).toBe('live');
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const started = Date.now();
    await updateFlag(db!, FLAG, { rolloutPercentage: 2 }, { actor: 'ana', reason: 'ramp to 2 %' });
    await expect
      .poll(() => page.locator('.stats .rollout').innerText(), { timeout: 10_000, interval: 50 })
      .toBe('2 %');
    const elapsed = Date.now() - started;
    console.log(`change visible on the open page after ${elapsed} ms`);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(
      await page.$$eval('svg.timeline circle.point', (els) =>
        els.map((e) => Number(e.getAttribute('data-rollout'))),
      ),
    ).toEqual([1, 5, 1, 2]);
    expect(await page.locator('.feed-item').first().innerText()).toContain('ramp to 2 %');
    await page.close();
  });

  it('checkpoints page: filters by status without script help needed', async () => {
    const page = await open('/checkpoints');
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.check('input[name="status"][value="FAIL"]');
    await page.waitForURL(/status=FAIL/);
    expect(await page.$$eval('tbody tr', (rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual([
      'FAIL',
    ]);
    await page.goto(`${base}/checkpoints`);
    await page.screenshot({ path: join(SHOTS, 'checkpoints.png'), fullPage: true });
    await page.close();
  });

  it('reads at 320 px, in dark mode, and without JavaScript', async () => {
    const narrow = await open(`/flags/${FLAG}`, { width: 320 });
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await narrow.screenshot({ path: join(SHOTS, 'flag-320px.png'), fullPage: true });
    await narrow.close();

    const dark = await open(`/flags/${FLAG}`, { dark: true });
    expect(await dark.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      'rgb(14, 17, 22)',
    );
    await dark.screenshot({ path: join(SHOTS, 'flag-dark.png'), fullPage: true });
    await dark.close();

    const context = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    try {
      const page = await (await context.newContext({ javaScriptEnabled: false })).newPage();
      await page.goto(`${base}/`);
      expect(await page.locator(`tr[data-flag="${FLAG}"] [data-label="Rollout"]`).innerText()).toBe('2 %');
      await page.goto(`${base}/flags/${FLAG}`);
      expect(await page.locator('tr[data-instance]').count()).toBe(4);
      expect(await page.locator('svg.timeline a.marker').count()).toBe(3);
    } finally {
      await context.close();
    }
  });

  it('no script errors and no blocked resources (CSP) on any page', () => {
    expect(problems).toEqual([]);
  });
});
