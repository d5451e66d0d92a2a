import { spawnManaged } from './children';
import { join } from 'node:path';

// The child resolves 'fauxqs' from the repository root's node_modules.
export interface SqsEmulator {
  /** Always http://127.0.0.1:<port>. */
  endpoint: string;
  stop(): Promise<void>;
}

/** Prints the port it got, as the child's first line of output. */
const CHILD_SCRIPT = `import { startFauxqs } from 'fauxqs';
const server = await startFauxqs({ port: 0, logger: false });
console.log('FAUXQS_PORT=' + server.port);`;

/**
 * fauxqs 1.9.2 (SQS over real HTTP: visibility timeouts, ApproximateReceiveCount, redrive to a dead-letter
 * queue, batch calls; see the toolchain notes) in a child process: its programmatic API is ESM-only. Memory
 * only; it listens on 0.0.0.0 (hard-coded upstream), the clients use 127.0.0.1.
 */
export async function startSqsEmulator(options: { timeoutMs?: number } = {}): Promise<SqsEmulator> {
  const child = spawnManaged(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], { cwd: join(__dirname, '..', '..'), name: 'fauxqs' });
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const port = /FAUXQS_PORT=(\d+)/.exec(child.output())?.[1];
    if (port) return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.stop() };
    const exit = child.exited();
    if (exit || Date.now() > deadline) {
      await child.stop();
      throw new Error(`the SQS emulator (fauxqs) did not start${exit ? ` (exit ${exit.code ?? exit.signal})` : ''}: ${child.output().slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
