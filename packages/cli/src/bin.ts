import { createInterface } from 'node:readline';
import type { Prompt } from './confirm-change';
import { runCli } from './run-cli';

/*
 * The `kaviar-flags` executable: everything lives in runCli, which never throws. Here only what belongs
 * to a real process: a closed pipe ends output quietly (`kaviar-flags allowlist list F | head -1`),
 * Ctrl-C / SIGTERM stop the command through its signal (it closes the database and releases the
 * embedded lock; a second Ctrl-C exits at once), and risky changes are asked on a terminal.
 */

let pipeClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    // The reader went away (`| head`): drop the rest of the output, exit as if all was read.
    pipeClosed = true;
  });
}
const sink = (stream: NodeJS.WriteStream) => ({
  write: (text: string) => pipeClosed || stream.write(text),
  isTTY: stream.isTTY === true,
});

const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130);
  if (name === 'SIGINT' && process.stderr.isTTY) process.stderr.write('\n');
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const prompt: Prompt | undefined =
  process.stdin.isTTY && process.stderr.isTTY
    ? {
        ask: (question) =>
          new Promise((resolve) => {
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            let answered = false;
            rl.question(question, (answer) => {
              answered = true;
              rl.close();
              resolve(answer);
            });
            rl.on('close', () => {
              if (!answered) resolve(undefined);
            });
          }),
      }
    : undefined;

runCli(process.argv.slice(2), {
  stdout: sink(process.stdout),
  stderr: sink(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  ...(prompt && { prompt }),
}).then((code) => {
  process.exitCode = code;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
});
