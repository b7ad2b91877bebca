/**
 * Allowlist members never leave through a checkpoint: findings quote audit rows without their `ids`,
 * so neither a recorded checkpoint read back nor a webhook body holds a member.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { checkFlag, listCheckpoints, notifyCheckpoint } from '../src/index';
import { seedFlag } from './seed';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A local webhook that records the raw bodies it receives. */
async function webhook(): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const listening = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      bodies.push(text);
      res.end('ok');
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}/hook`, bodies };
}

guardLeaks();

forEachDatabase((getDb) => {
  it('quotes allowlist changes without ids in findings, recorded checkpoints and the webhook body', async () => {
    const db = getDb();
    const members = await seedFlag(db, 'leak_check');
    // A wrong expected size makes the allowlist finding FAIL and quote the allowlist.add row.
    const checkpoint = await checkFlag(db, 'leak_check', {
      expect: { allowlistSize: 11 },
      settleMs: 0,
      record: true,
    });
    const allowlist = checkpoint.findings.find((f) => f.name === 'allowlist');
    expect(allowlist?.status).toBe('FAIL');
    expect(allowlist?.audit?.[0]).toMatchObject({ action: 'allowlist.add', after: { added: 12, size: 12 } });
    expect(allowlist?.audit?.[0]?.after).not.toHaveProperty('ids');

    const { url, bodies } = await webhook();
    const sent = await notifyCheckpoint(checkpoint, { url, retries: 0 });
    expect(sent.sent).toBe(true);
    const [stored] = await listCheckpoints(db, { flagKey: 'leak_check' });
    const outputs = [JSON.stringify(checkpoint), JSON.stringify(stored), ...bodies];
    expect(bodies).toHaveLength(1);
    for (const text of outputs) {
      for (const id of members) expect(text).not.toContain(`"${id}"`);
    }
  });

  it('drops ids from checkpoints recorded before quotes left them out', async () => {
    const db = getDb();
    const audit = {
      action: 'allowlist.add',
      actor: 'goes',
      reason: null,
      at: '2026-02-03T13:00:00.000Z',
      version: 3,
      before: null,
      after: { added: 1, size: 1, ids: ['old-secret-member'] },
    };
    const finding = {
      name: 'allowlist',
      status: 'FAIL',
      message: 'allowlist has 1 subjects, expected 2',
      expected: 2,
      observed: 1,
      audit: [audit],
    };
    await db.query(
      `insert into ${db.ident}.checkpoints (flag_key, phase, label, status, findings) values ('old_flag', 'p', 'l', 'FAIL', $1::jsonb)`,
      [JSON.stringify([finding])],
    );
    const [stored] = await listCheckpoints(db, { flagKey: 'old_flag' });
    expect(stored?.findings[0]?.audit?.[0]?.after).toEqual({ added: 1, size: 1 });
    expect(JSON.stringify(stored)).not.toContain('old-secret-member');
  });
});
