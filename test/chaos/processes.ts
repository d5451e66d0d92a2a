import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TenantConfig } from '../../shared/config';
import type { TenantRunReport } from '../../shared/flows/runner';
import type { FlowSpec, Wiring } from './wiring';
import type { FromWorker, ToWorker } from './worker';

/**
 * The seed's side of a worker process (worker.ts): start it, hand it runs, and end or pause it the way Lambda
 * does. `kill()` is SIGKILL: the process stops at whatever instruction it was on, no `finally` runs, no claim
 * or lease is given back. `freeze()` / `thaw()` are SIGSTOP / SIGCONT: a Lambda instance frozen in the middle
 * of an invocation and thawed later, with whatever it held now stale.
 */

export type RunAnswer = { kind: 'report'; report: TenantRunReport } | { kind: 'killed' } | { kind: 'error'; message: string };

const WORKER = path.join(__dirname, 'worker.ts');
const START_TIMEOUT_MS = 60_000;

type Problem = (line: string) => void;

export class WorkerProcess {
  webhookUrl = '';
  /** Where the worker's problems go (the seed it serves now). */
  onProblem: Problem = () => undefined;
  private readonly pending = new Map<number, (answer: RunAnswer) => void>();
  private readonly waiting = new Map<FromWorker['type'], (message: FromWorker) => void>();
  private nextId = 1;
  private dead = false;
  private frozen = false;
  readonly exited: Promise<void>;
  private readonly up: Promise<void>;
  private readonly child: ChildProcess;

  constructor() {
    this.child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: process.env,
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (message: FromWorker) => this.receive(message));
    this.child.once('exit', () => {
      this.dead = true;
      for (const done of this.pending.values()) done({ kind: 'killed' });
      this.pending.clear();
    });
    this.up = this.next('up').then(() => undefined);
    this.up.catch(() => undefined);
  }

  private receive(message: FromWorker): void {
    if (message.type === 'report' || message.type === 'run-error') {
      const done = this.pending.get(message.id);
      this.pending.delete(message.id);
      done?.(message.type === 'report' ? { kind: 'report', report: message.report } : { kind: 'error', message: message.message });
      return;
    }
    const waiter = this.waiting.get(message.type);
    if (waiter) {
      this.waiting.delete(message.type);
      waiter(message);
    } else if (message.type === 'problem') {
      this.onProblem(message.message);
    }
  }

  private next(type: FromWorker['type']): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.pid} sent no '${type}' within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      this.waiting.set(type, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`worker ${this.pid} exited before '${type}'`));
      });
    });
  }

  /** Sets the worker up for a seed: its tenant and wiring, and a fresh webhook endpoint. */
  async init(tenant: TenantConfig, wiring: Wiring, onProblem: Problem): Promise<this> {
    await this.up;
    this.onProblem = onProblem;
    const ready = this.next('ready');
    this.child.send({ type: 'init', tenant, wiring } satisfies ToWorker);
    const message = await ready;
    if (message.type === 'ready') this.webhookUrl = message.webhookUrl;
    return this;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return !this.dead;
  }

  run(flow: FlowSpec, deadlineMs: number): Promise<RunAnswer> {
    if (this.dead) return Promise.resolve({ kind: 'killed' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ type: 'run', id, flow, deadlineMs } satisfies ToWorker);
    });
  }

  /** SIGKILL, as Lambda ends an invocation at its timeout. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.child.kill('SIGKILL');
  }

  freeze(): void {
    if (this.dead || this.frozen) return;
    this.frozen = true;
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    if (!this.dead) this.child.kill('SIGCONT');
  }

  async close(): Promise<void> {
    this.thaw();
    if (!this.dead) {
      this.child.disconnect();
      const gone = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      if (!gone) this.kill();
    }
    await this.exited;
  }
}

/**
 * Worker processes kept across the seeds of a test file (starting one costs about a second of CPU), with one
 * spare started ahead so a killed worker's place is taken at once.
 */
export class WorkerPool {
  private readonly idle: WorkerProcess[] = [];
  private readonly all = new Set<WorkerProcess>();
  private spare: WorkerProcess | undefined;
  /** Processes started so far. */
  started = 0;

  private spawn(): WorkerProcess {
    const w = new WorkerProcess();
    this.started++;
    this.all.add(w);
    return w;
  }

  /** `n` live workers set up for a seed. */
  async take(n: number, tenant: TenantConfig, wiring: Wiring, onProblem: Problem): Promise<WorkerProcess[]> {
    const chosen: WorkerProcess[] = [];
    while (chosen.length < n) {
      const w = this.idle.pop() ?? this.takeSpare();
      if (w.alive) chosen.push(w);
    }
    this.spare ??= this.spawn();
    return Promise.all(chosen.map((w) => w.init(tenant, wiring, onProblem)));
  }

  /** The spare, set up for the seed, in the place of a worker that was killed. */
  async replace(tenant: TenantConfig, wiring: Wiring, onProblem: Problem): Promise<WorkerProcess> {
    const next = this.takeSpare();
    this.spare = this.spawn();
    return next.init(tenant, wiring, onProblem);
  }

  private takeSpare(): WorkerProcess {
    const w = this.spare ?? this.spawn();
    this.spare = undefined;
    return w;
  }

  /** Workers back after a seed (the dead ones are dropped). */
  give(workers: readonly WorkerProcess[]): void {
    for (const w of workers) if (w.alive && !this.idle.includes(w)) this.idle.push(w);
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map((w) => w.close()));
    this.all.clear();
    this.idle.length = 0;
    this.spare = undefined;
  }
}
