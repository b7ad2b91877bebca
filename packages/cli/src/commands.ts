import type { CommandSpec } from './command-spec';
import { allowlistAddCommand, allowlistRemoveCommand } from './commands/allowlist-change';
import { allowlistImportCommand } from './commands/allowlist-import';
import { allowlistListCommand } from './commands/allowlist-list';
import { checkCommand } from './commands/check';
import { checkpointsCommand } from './commands/checkpoints';
import { createCommand } from './commands/create';
import { dashboardCommand } from './commands/dashboard';
import { deleteCommand } from './commands/delete';
import { demoCommand } from './commands/demo';
import { historyCommand } from './commands/history';
import { migrateCommand } from './commands/migrate';
import { pruneChangesCommand } from './commands/prune-changes';
import { rampAbortCommand, rampPauseCommand, rampResumeCommand } from './commands/ramp-control';
import { rampStartCommand } from './commands/ramp-start';
import { rampStatusCommand } from './commands/ramp-status';
import { rampTickCommand } from './commands/ramp-tick';
import { restoreCommand } from './commands/restore';
import { setCommand } from './commands/set';
import { snapshotCommand } from './commands/snapshot';
import { statusCommand } from './commands/status';

/** Every command, in the order `--help` lists them (the operator's workflow order). */
export const COMMANDS: readonly CommandSpec[] = [
  migrateCommand,
  statusCommand,
  createCommand,
  setCommand,
  deleteCommand,
  allowlistAddCommand,
  allowlistRemoveCommand,
  allowlistListCommand,
  allowlistImportCommand,
  checkCommand,
  checkpointsCommand,
  historyCommand,
  snapshotCommand,
  restoreCommand,
  pruneChangesCommand,
  rampStartCommand,
  rampStatusCommand,
  rampTickCommand,
  rampPauseCommand,
  rampResumeCommand,
  rampAbortCommand,
  dashboardCommand,
  demoCommand,
];

/** The command named `name` (`set`, `allowlist add`), if any. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
