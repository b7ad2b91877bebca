/**
 * A server that speaks just enough of the PostgreSQL wire protocol to refuse a connection the way a
 * real server configured for it would: a wrong password (it asks for a cleartext password, then
 * answers 28P01) or a pg_hba.conf that only accepts encrypted connections (28000 "... no encryption").
 * For the cases the shared test server (trust authentication, no SSL) cannot produce.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** How the fake refuses. */
export type FakeRefusal = 'wrong-password' | 'ssl-required';

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat(
    [
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', code],
      ['M', message],
    ].map(([type, value]) => Buffer.from(`${type}${value}\0`, 'utf8')),
  );
  const body = Buffer.concat([fields, Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function startupParams(packet: Buffer): Record<string, string> {
  const parts = packet.subarray(8).toString('utf8').split('\0');
  const params: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i]) params[parts[i] as string] = parts[i + 1] ?? '';
  return params;
}

function serve(socket: Socket, refusal: FakeRefusal): void {
  let buffered = Buffer.alloc(0);
  let started = false;
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (!started) {
      if (buffered.length < 8) return;
      const length = buffered.readInt32BE(0);
      if (buffered.length < length) return;
      const packet = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      if (packet.readInt32BE(4) === 80877103) {
        socket.write('N'); // SSLRequest: this server has no SSL.
        return;
      }
      started = true;
      const { user = '', database = user } = startupParams(packet);
      if (refusal === 'ssl-required') {
        const message = `no pg_hba.conf entry for host "127.0.0.1", user "${user}", database "${database}", no encryption`;
        socket.end(errorResponse('28000', message));
        return;
      }
      const ask = Buffer.alloc(9);
      ask.write('R', 0);
      ask.writeInt32BE(8, 1);
      ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
      socket.write(ask);
      (socket as Socket & { user?: string }).user = user;
      return;
    }
    if (buffered[0] === 0x70 /* 'p' */) {
      const user = (socket as Socket & { user?: string }).user ?? '';
      socket.end(errorResponse('28P01', `password authentication failed for user "${user}"`));
    }
  });
}

/** Starts a fake server on a free port of 127.0.0.1; `close()` stops it. */
export async function startFakePostgres(
  refusal: FakeRefusal,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, refusal);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
