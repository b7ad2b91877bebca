import { runCli } from './run-cli';

// The `kaviar-flags` executable: everything lives in runCli, which never throws.
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
