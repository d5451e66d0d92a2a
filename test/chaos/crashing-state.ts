import type { StatePorts } from '../../shared/flows/ports';

/** The process "died" at a state write: the write did not happen and the error ends the work. */
export class SimulatedCrashError extends Error {
  constructor(method: string) {
    super(`simulated crash at the state write ${method}`);
    this.name = 'SimulatedCrashError';
  }
}

/**
 * 'once': the k-th data write throws, later ones go through (a passing DynamoDB error).
 * 'dead': the k-th and every later data write throw (the process stopped: no clean-up reaches state).
 */
export interface CrashPlan {
  atWrite: number;
  mode: 'once' | 'dead';
}

/** The runner's own bookkeeping: kept working so a crash is seen as the flow's, and the next run may start. */
const RUNNER_PORTS = new Set<keyof StatePorts>(['leases', 'runs']);
const isRead = (name: string) => /^(get|list|all|read)$/.test(name);

/** A tenant's ports whose data writes fail per the plan; `crashed` tells whether the plan fired. */
export function crashingState(inner: StatePorts, plan: CrashPlan): { state: StatePorts; crashed: () => boolean } {
  let writes = 0;
  let crashed = false;
  const wrap = <P extends object>(portName: string, port: P): P =>
    new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string' || isRead(prop)) {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (...args: unknown[]) => {
          writes++;
          if (writes === plan.atWrite || (crashed && plan.mode === 'dead')) {
            crashed = true;
            return Promise.reject(new SimulatedCrashError(`${portName}.${prop}`));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const state = Object.fromEntries(
    Object.entries(inner).map(([name, port]) => [name, RUNNER_PORTS.has(name as keyof StatePorts) ? port : wrap(name, port as object)]),
  ) as unknown as StatePorts;
  return { state, crashed: () => crashed };
}
