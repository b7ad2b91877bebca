// The backend example: `DATABASE_URL=postgres://... npx tsx examples/backend/src/main.ts`, or without
// DATABASE_URL on an in-memory embedded database seeded with the ops snapshot's flag.
// Then: curl localhost:3000/passengers/passenger-000001/matches?explain and curl localhost:3000/health
// FLAGS_API=openfeature decides through OpenFeature (KaviarFlagsProvider) instead of isEnabled.

import { KaviarFlagsProvider } from '@kaviar/flags-openfeature';
import {
  addToAllowlist,
  createFlag,
  createPgFlags,
  migrate,
  openDb,
  type PgFlagsClient,
} from '@kaviar/flags-pg';
import { OpenFeature } from '@openfeature/server-sdk';
import { createApp, FAVORITES_FLAG } from './create-app';

async function embeddedFlags(): Promise<PgFlagsClient> {
  const db = await openDb({ pglite: 'memory://' });
  await migrate(db);
  await createFlag(db, { key: FAVORITES_FLAG, enabled: true, rolloutPercentage: 1 }, { actor: 'example' });
  const beta = Array.from({ length: 12 }, (_, i) => `passenger-${String(i + 1).padStart(6, '0')}`);
  await addToAllowlist(db, FAVORITES_FLAG, beta, { actor: 'example' });
  return createPgFlags({ db, appName: 'example-backend' });
}

const flags = process.env.DATABASE_URL
  ? createPgFlags({ connectionString: process.env.DATABASE_URL, appName: 'example-backend' })
  : await embeddedFlags();
await flags.ready({ timeoutMs: 10_000 });
const viaOpenFeature = process.env.FLAGS_API === 'openfeature';
if (viaOpenFeature) {
  // The provider shares the client (it was given one, not a factory): /health still reads it directly.
  await OpenFeature.setProviderAndWait(new KaviarFlagsProvider(flags));
}
const port = Number(process.env.PORT ?? 3000);
const server = createApp(flags, viaOpenFeature ? { openFeature: OpenFeature.getClient() } : {}).listen(
  port,
  () =>
    console.log(`listening on http://localhost:${port} (${viaOpenFeature ? 'OpenFeature' : 'isEnabled'})`),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void OpenFeature.close().then(() => flags.close());
  });
}
