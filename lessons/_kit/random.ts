// Seeded randomness. The runner sets QUEUECRAFT_SEED for every experiment, so
// "random" jitter, failures and ids come out the same on every run.

export type Random = () => number;

/** mulberry32: tiny, fast and good enough for jitter and simulated failures. */
export function createRandom(seed: number = Number(process.env.QUEUECRAFT_SEED ?? 42)): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max], both inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
