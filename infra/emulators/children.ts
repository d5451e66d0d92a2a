import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Child processes (DynamoDB Local) must not outlive the process that started them: a leftover JVM holds
 * 200+ MB and a port on a small shared machine. Three guards:
 *  - `stop()` kills the child's whole process group;
 *  - on this process's 'exit', and on SIGINT/SIGTERM/SIGHUP when nobody else handles them, every child
 *    still running is killed;
 *  - on POSIX the child runs under a tiny `sh` watchdog that kills it once this process is gone, which
 *    covers a SIGKILL of the parent, where no handler runs.
 */

export interface ManagedChild {
  readonly process: ChildProcess;
  /** The last few KB of the child's stdout and stderr, for error messages. */
  output(): string;
  /** Set once the child has exited. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(): Promise<void>;
}

const running = new Set<ManagedChild>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const c of running) killGroup(c.process, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else (the local host) owns shutdown and will call stop(); the 'exit' hook is the backstop.
      if (process.listenerCount(signal) > 1) return;
      for (const c of running) killGroup(c.process, 'SIGTERM');
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

const WATCHDOG = [
  '"$@" &',
  'child=$!',
  "trap 'kill $child 2>/dev/null; wait $child; exit 143' TERM INT HUP",
  'while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done',
  'kill $child 2>/dev/null',
  'wait $child',
].join('\n');

export function spawnManaged(command: string, args: string[], options: { cwd: string; name: string }): ManagedChild {
  installHooks();
  const posix = process.platform !== 'win32';
  const child = posix
    ? spawn('sh', ['-c', WATCHDOG, options.name, command, ...args], {
        cwd: options.cwd,
        env: { ...process.env, WATCH_PID: String(process.pid) },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group: a Ctrl-C in the terminal goes to the host, which stops children in order.
        detached: true,
      })
    : spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });

  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      running.delete(managed);
      resolve();
    });
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      exit ??= { code: null, signal: null };
      running.delete(managed);
      resolve();
    });
  });

  const managed: ManagedChild = {
    process: child,
    output: () => tail,
    exited: () => exit,
    async stop() {
      if (exit) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  running.add(managed);
  return managed;
}
