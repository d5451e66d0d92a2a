import { createServer, connect } from 'node:net';

/** A port the OS just handed out on 127.0.0.1 (for children that cannot listen on port 0 themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(500, () => done(false));
  });
}

/**
 * Polls until something accepts connections on 127.0.0.1:port. `failed()` is checked between polls so a
 * child that died is reported at once instead of after the whole timeout.
 */
export async function waitForPort(
  port: number,
  options: { timeoutMs: number; what: string; failed?: () => Error | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const failure = options.failed?.();
    if (failure) throw failure;
    if (await tryConnect(port)) return;
    if (Date.now() > deadline) {
      throw new Error(`${options.what} did not open port ${port} within ${options.timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
