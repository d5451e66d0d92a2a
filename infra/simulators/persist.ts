import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Saves and restores a simulator's in-memory state (Maps, Dates, plain objects) as JSON, so the local host's
 * demo keeps its pretend BaseLinker and Ongoing accounts between runs, just as the real ones would be.
 */

function encode(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { __map: [...value.entries()] };
  if (value instanceof Set) return { __set: [...value.values()] };
  return value;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function decode(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object') {
    const v = value as { __map?: [unknown, unknown][]; __set?: unknown[] };
    if (Array.isArray(v.__map)) return new Map(v.__map);
    if (Array.isArray(v.__set)) return new Set(v.__set);
  }
  // Dates were written by JSON.stringify as ISO strings; the simulators keep Dates only under `...At`/time keys.
  if (typeof value === 'string' && ISO_DATE.test(value) && /(At|Time|time|date|Date|created)$/.test(_key)) return new Date(value);
  return value;
}

export function saveSimulatorState(state: object, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, encode));
  renameSync(tmp, file);
}

/** Restores into the live state object (the simulator keeps its reference); false when there is no file. */
export function loadSimulatorState(state: object, file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const loaded = JSON.parse(text, decode) as Record<string, unknown>;
  const target = state as Record<string, unknown>;
  for (const [key, value] of Object.entries(loaded)) {
    const current = target[key];
    if (current instanceof Map && value instanceof Map) {
      current.clear();
      for (const [k, v] of value) current.set(k, v);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      current.splice(0, current.length, ...value);
    } else {
      target[key] = value;
    }
  }
  return true;
}
