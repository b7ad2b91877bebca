import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyCheckpoint } from './notify-checkpoint';
import type { Checkpoint } from './types';

const checkpoint: Checkpoint = {
  flagKey: 'passenger_favorites_matching',
  phase: 'phase2_rollout',
  label: 'manual',
  status: 'FAIL',
  findings: [
    { name: 'exists', status: 'PASS', message: 'flag exists', expected: true, observed: true },
    {
      name: 'rollout',
      status: 'FAIL',
      message: 'rollout_percentage is 5 %, expected 1 %',
      expected: 1,
      observed: 5,
    },
  ],
  expected: { rolloutPercentage: 1 },
  configVersion: 11,
  at: new Date('2026-02-03T13:27:00.000Z'),
};

interface Received {
  body: unknown;
  contentType: string | undefined;
}

let server: Server | undefined;

/** A local webhook that answers with the given statuses in turn (then 200), optionally never answering. */
async function webhook(statuses: number[], hang = false): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push({ body: JSON.parse(text), contentType: req.headers['content-type'] });
      if (hang) return;
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/secret-token`, received };
}

afterEach(async () => {
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

const noWait = async () => {};

describe('notifyCheckpoint', () => {
  it('posts the checkpoint as JSON with a text summary', async () => {
    const { url, received } = await webhook([]);
    const result = await notifyCheckpoint(checkpoint, { url });
    expect(result).toEqual({ sent: true, skipped: false, attempts: 1, statusCode: 200 });
    expect(received).toHaveLength(1);
    expect(received[0]?.contentType).toBe('application/json');
    expect(received[0]?.body).toEqual({
      text:
        'FAIL passenger_favorites_matching phase2_rollout/manual at 2026-02-03 13:27:00Z (config version 11)\n' +
        '  FAIL rollout: rollout_percentage is 5 %, expected 1 %',
      checkpoint: JSON.parse(JSON.stringify(checkpoint)),
    });
  });

  it('sends only the text in slack format', async () => {
    const { url, received } = await webhook([]);
    await notifyCheckpoint(checkpoint, { url, format: 'slack' });
    expect(Object.keys(received[0]?.body as object)).toEqual(['text']);
  });

  it('does not send a PASS by default', async () => {
    const { url, received } = await webhook([]);
    const result = await notifyCheckpoint({ ...checkpoint, status: 'PASS' }, { url });
    expect(result).toEqual({ sent: false, skipped: true, attempts: 0 });
    expect(received).toHaveLength(0);
  });

  it('retries 5xx and 429 with doubling backoff, then succeeds', async () => {
    const { url, received } = await webhook([503, 429]);
    const waits: number[] = [];
    const result = await notifyCheckpoint(checkpoint, {
      url,
      backoffMs: 100,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result).toEqual({ sent: true, skipped: false, attempts: 3, statusCode: 200 });
    expect(received).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after the bounded retries and reports why, without the URL', async () => {
    const { url } = await webhook([500, 500, 500, 500]);
    const result = await notifyCheckpoint(checkpoint, { url, retries: 2, sleep: noWait });
    expect(result).toEqual({
      sent: false,
      skipped: false,
      attempts: 3,
      statusCode: 500,
      error: 'webhook answered HTTP 500',
    });
  });

  it('does not retry a 4xx other than 429', async () => {
    const { url, received } = await webhook([404]);
    const result = await notifyCheckpoint(checkpoint, { url, sleep: noWait });
    expect(result).toMatchObject({ sent: false, attempts: 1, statusCode: 404 });
    expect(received).toHaveLength(1);
  });

  it('times out a webhook that never answers', async () => {
    const { url, received } = await webhook([], true);
    const result = await notifyCheckpoint(checkpoint, { url, timeoutMs: 150, retries: 1, sleep: noWait });
    expect(result).toEqual({
      sent: false,
      skipped: false,
      attempts: 2,
      error: 'webhook did not answer within 150 ms',
    });
    expect(received).toHaveLength(2);
  });

  it('reports a connection failure', async () => {
    const result = await notifyCheckpoint(checkpoint, { url: 'http://127.0.0.1:1/hook', retries: 0 });
    expect(result.sent).toBe(false);
    expect(result.error).toMatch(/^webhook request failed: /);
  });
});
