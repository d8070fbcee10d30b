/** Median of numbers. */
export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** The p-th percentile (nearest rank) of numbers. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (p === 50 && s.length % 2 === 0) return (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Runs `fn` once to warm up, then `runs` times; returns the median wall time in ms. */
export async function medianMs(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  const [only] = Object.values(await interleavedMs({ only: fn }, runs));
  return only!;
}

/**
 * Median wall times of several contenders measured round-robin (a, b, c, a, b, c, …) after one
 * warm-up each, so that drift on a shared machine (other load, thermal, GC) hits all of them alike.
 */
export async function interleavedMs<K extends string>(fns: Record<K, () => Promise<unknown>>, runs = 7): Promise<Record<K, number>> {
  const keys = Object.keys(fns) as K[];
  for (const k of keys) await fns[k]();
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  for (let i = 0; i < runs; i++) {
    for (const k of keys) {
      const t = performance.now();
      await fns[k]();
      times[k].push(performance.now() - t);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(times[k])])) as Record<K, number>;
}
