import { isLoopbackHost, serveDashboard } from '@kaviar/flags-dashboard';
import { UsageError } from '../cli-errors';
import { defineCommand } from '../command-spec';
import { parseIntegerArg } from '../input-values';
import { maskSecrets } from '../mask-secrets';

/** The environment variable that carries the token (safer than `--token`, which `ps` shows). */
const TOKEN_ENV = 'KAVIAR_FLAGS_DASHBOARD_TOKEN';

/** Resolves when the process is asked to stop (Ctrl-C, `kill`). */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `kaviar-flags dashboard`: the read-only ops dashboard in a browser, live. */
export const dashboardCommand = defineCommand({
  name: 'dashboard',
  summary: 'Serve the read-only ops dashboard (flags, rollout timeline, checkpoints, instances), live',
  usage: '[--port 4680] [--host 127.0.0.1] [--token TOKEN]',
  // It serves until Ctrl-C / SIGTERM, and then ends normally (exit 0).
  handlesInterrupt: true,
  options: {
    port: { type: 'string', value: 'N', description: 'TCP port (default 4680; 0 picks a free one)' },
    host: {
      type: 'string',
      value: 'ADDR',
      description: 'Address to listen on (default 127.0.0.1); any non-loopback address needs a token',
    },
    token: {
      type: 'string',
      value: 'TOKEN',
      description: `Require this token (16+ characters) on every request; default $${TOKEN_ENV}`,
    },
  },
  examples: [
    'kaviar-flags dashboard',
    `${TOKEN_ENV}=$(openssl rand -hex 24) kaviar-flags dashboard --host 0.0.0.0`,
  ],
  notes: [
    'Read-only: there is no endpoint that writes. Pages update within a second of a change (LISTEN/NOTIFY,',
    'polling where LISTEN is unavailable). With a token, the browser asks for it (HTTP Basic: any user name,',
    'the token as password); scripts send `Authorization: Bearer <token>`. It is never printed or put in a URL.',
    'Put TLS in front (a reverse proxy) when it is reached over a network. On the embedded database the',
    'dashboard holds its lock while it runs: use a server database to change flags meanwhile. Ctrl-C stops it.',
  ],
  parse(args) {
    args.maxPositionals(0);
    const portText = args.string('port');
    const port = portText === undefined ? 4680 : parseIntegerArg(portText, 'port', args.command, 0);
    if (port > 65_535) throw new UsageError(`--port: ${port} must be at most 65535`, args.command);
    const host = args.string('host') ?? '127.0.0.1';
    if (host.trim() === '') throw new UsageError('--host: empty', args.command);
    return { port, host, tokenOption: args.string('token') };
  },
  async run({ port, host, tokenOption }, ctx) {
    const token = tokenOption ?? (ctx.env[TOKEN_ENV] || undefined);
    if (token !== undefined && token.length < 16) {
      throw new UsageError(
        `the token (--token or $${TOKEN_ENV}) must have at least 16 characters`,
        'dashboard',
      );
    }
    if (token === undefined && !isLoopbackHost(host)) {
      throw new UsageError(
        `listening on ${host} lets other machines in: give a token (--token, or $${TOKEN_ENV})`,
        'dashboard',
      );
    }
    const { printer } = ctx;
    const db = await ctx.db();
    let lastError = '';
    const server = await serveDashboard({
      db,
      port,
      host,
      ...(token === undefined ? {} : { token }),
      onError: (error) => {
        const text = maskSecrets(error.message);
        if (text !== lastError) printer.notice(`dashboard: ${text}`);
        lastError = text;
      },
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
        throw new UsageError(
          `cannot listen on ${host}:${port} (${error.code}): choose another --port or --host`,
          'dashboard',
        );
      }
      throw error;
    });
    if (printer.json) printer.printJson({ url: server.url, schema: db.schema, token: token !== undefined });
    else {
      printer.line(`Dashboard on ${server.url} (read-only; schema ${db.schema} on ${ctx.target.label})`);
      if (token !== undefined) printer.line('Sign in with any user name and the token as password.');
      printer.line('Ctrl-C stops it.');
    }
    await stopSignal();
    await server.close();
    return undefined;
  },
});
