/**
 * update-rollout <flag> <percent> [--actor=name] [--reason=text] [--from=percent]: sets the rollout,
 * audited with who and why. 0 is the rollback. `--from` makes it a compare-and-set: the change is
 * refused if the rollout is not what you think it is.
 *
 *   npx tsx examples/scripts/src/update-rollout.ts passenger_favorites_matching 0 --reason="rollback: errors"
 *   passenger_favorites_matching: rollout 1% -> 0% (rollback) at version 9 by goes
 *
 * Exit 0 on success, 1 when the change was refused or failed, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { parseRolloutPercentage } from '@kaviar/flags-core';
import { getFlag, updateFlag } from '@kaviar/flags-pg';
import { actorOf, connect } from './connect';
import { toError } from './to-error';

const usage = 'usage: update-rollout <flag> <percent> [--actor=name] [--reason=text] [--from=percent]';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { actor: { type: 'string' }, reason: { type: 'string' }, from: { type: 'string' } },
  });
  const [key, percent] = positionals;
  if (key === undefined || percent === undefined || positionals.length > 2) {
    console.error(usage);
    return 2;
  }
  let rolloutPercentage: number;
  let from: number | undefined;
  try {
    rolloutPercentage = parseRolloutPercentage(percent);
    from = values.from === undefined ? undefined : parseRolloutPercentage(values.from);
  } catch (caught) {
    console.error(`update-rollout: ${toError(caught).message}\n${usage}`);
    return 2;
  }
  const db = await connect();
  try {
    const before = await getFlag(db, key);
    const after = await updateFlag(
      db,
      key,
      { rolloutPercentage },
      {
        actor: actorOf(values.actor),
        ...(values.reason === undefined ? {} : { reason: values.reason }),
        ...(from === undefined ? {} : { expect: { rolloutPercentage: from } }),
      },
    );
    const rollback = rolloutPercentage === 0 ? ' (rollback)' : '';
    console.log(
      `${key}: rollout ${before?.rolloutPercentage}% -> ${after.rolloutPercentage}%${rollback} at version ${after.version} by ${after.updatedBy}`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (caught: unknown) => {
    const error = toError(caught);
    const code = (error as { code?: string }).code;
    console.error(`update-rollout: ${code ? `${code}: ` : ''}${error.message}`);
    process.exitCode = 1;
  },
);
