/**
 * One process of the fleet benchmark (started by fleet.ts over IPC): `count` flag clients with the store's
 * default settings except where the fleet says otherwise, each recording when it saw each new version. On
 * `stop` it closes them and sends back what it saw.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPgFlags, type PgFlagsClient } from '../src/index';

interface Config {
  readonly role: 'poll' | 'listen';
  readonly count: number;
  readonly connectionString: string;
  readonly schema: string;
  readonly appName: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const send = (message: unknown) => process.send?.(message);

const clients: PgFlagsClient[] = [];
const seen: [number, number][][] = [];
for (let i = 0; i < config.count; i++) {
  const client = createPgFlags({
    connectionString: config.connectionString,
    schema: config.schema,
    appName: config.appName,
    listen: config.role === 'listen',
  });
  const log: [number, number][] = [];
  client.on('change', () => log.push([client.status().version, Date.now()]));
  clients.push(client);
  seen.push(log);
  // Instances of a fleet do not all start in the same millisecond.
  if (i % 25 === 24) await sleep(20);
}
await Promise.all(clients.map((c) => c.ready({ timeoutMs: 120_000 })));
if (config.role === 'listen') {
  while (clients.some((c) => c.status().listen.state !== 'connected')) {
    await sleep(50);
  }
}
send({ type: 'ready' });

process.on('message', async (message: { type: string }) => {
  if (message.type !== 'stop') return;
  const states = clients.map((c) => c.status().state);
  await Promise.all(clients.map((c) => c.close()));
  send({ type: 'result', seen, stale: states.filter((s) => s !== 'ready').length });
  process.disconnect?.();
});
