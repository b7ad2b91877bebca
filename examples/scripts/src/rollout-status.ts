/**
 * rollout-status [flag]: prints each flag's live state, one line per flag.
 *
 *   npx tsx examples/scripts/src/rollout-status.ts passenger_favorites_matching
 *   passenger_favorites_matching: enabled=true rollout=1% allowlist=12 version=8 updated=2026-02-03T13:29:22.330Z by goes
 *
 * Exit 0 on success, 1 when the flag does not exist or the database cannot be read.
 */

import { type FlagRow, getFlag, listFlags } from '@kaviar/flags-pg';
import { connect } from './connect';
import { toError } from './to-error';

const line = (f: FlagRow) =>
  `${f.key}: enabled=${f.enabled} rollout=${f.rolloutPercentage}% allowlist=${f.allowlistCount} version=${f.version} updated=${f.updatedAt.toISOString()} by ${f.updatedBy}`;

async function main(key: string | undefined): Promise<number> {
  const db = await connect();
  try {
    if (key === undefined) {
      const flags = await listFlags(db);
      for (const flag of flags) console.log(line(flag));
      if (flags.length === 0) console.log('no flags');
      return 0;
    }
    const flag = await getFlag(db, key);
    if (!flag) {
      console.error(`flag ${key} does not exist`);
      return 1;
    }
    console.log(line(flag));
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (caught: unknown) => {
    console.error(`rollout-status: ${toError(caught).message}`);
    process.exitCode = 1;
  },
);
