/** mulberry32: a tiny seeded PRNG, so a chaos seed replays the same run of choices. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  (): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function rngFor(seed: number): Rng {
  const next = mulberry32(seed);
  const rng = (() => next()) as Rng;
  rng.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  rng.pick = (items) => items[Math.floor(next() * items.length)]!;
  rng.chance = (p) => next() < p;
  return rng;
}

/** Seeds for this run: CHAOS_SEED replays one; else CHAOS_SEEDS (default `fallback`) seeds from 1. */
export function chaosSeeds(env: NodeJS.ProcessEnv, fallback: number): number[] {
  if (env.CHAOS_SEED !== undefined && env.CHAOS_SEED !== '') return [Number(env.CHAOS_SEED)];
  const count = Math.max(1, Number(env.CHAOS_SEEDS ?? fallback) || fallback);
  return Array.from({ length: count }, (_, i) => i + 1);
}
