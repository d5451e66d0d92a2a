import type { StateStore } from '../../shared/state';

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
const RUNNER_METHODS = new Set(['acquireLease', 'renewLease', 'releaseLease', 'getLease', 'putRunSummary', 'getRunSummaries']);
const isRead = (name: string) => /^(get|list|inspect)/.test(name);

/** A StateStore whose data writes fail per the plan; `crashed` tells whether the plan fired. */
export function crashingState(inner: StateStore, plan: CrashPlan): { state: StateStore; crashed: () => boolean } {
  let writes = 0;
  let crashed = false;
  const state = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || RUNNER_METHODS.has(prop) || isRead(prop)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        writes++;
        if (writes === plan.atWrite || (crashed && plan.mode === 'dead')) {
          crashed = true;
          return Promise.reject(new SimulatedCrashError(prop));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { state, crashed: () => crashed };
}
