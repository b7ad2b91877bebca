import { NotConfirmedError } from './cli-errors';
import type { Printer } from './printer';

/** Asks the operator one question on the terminal and resolves to the answer (`undefined` at end of input). */
export interface Prompt {
  ask(question: string): Promise<string | undefined>;
}

/**
 * Shows a risky change and asks to go on. Without a terminal (`prompt` absent) it throws
 * `NotConfirmedError` carrying the change, so a script sees what it would have done and exits 64.
 */
export async function confirmChange(
  change: readonly string[],
  prompt: Prompt | undefined,
  printer: Printer,
): Promise<void> {
  if (!prompt) {
    throw new NotConfirmedError(
      'This is a risky change and there is no terminal to confirm it on: add --yes to apply it, or --dry-run to see it; nothing was written',
      change,
    );
  }
  for (const line of change) printer.notice(line);
  const answer = (await prompt.ask('Apply this change? [y/N] '))?.trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') {
    throw new NotConfirmedError('Not confirmed; nothing was written', []);
  }
}

/**
 * Whether a rollout change needs confirmation: it more than doubles, or rises by more than 20 points.
 * From 0 %, any rise more than doubles it.
 */
export function isRiskyRollout(before: number, after: number): boolean {
  return after > before * 2 || after - before > 20;
}
