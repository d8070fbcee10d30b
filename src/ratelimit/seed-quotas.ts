import type { KeyLimits } from '../keys/limits.ts';
import type { Store } from '../store/index.ts';
import type { RateLimiter } from './index.ts';
import { type KeyLimitGate, quotaWindows } from './key-limits.ts';

/**
 * Rebuilds the quota counters of a limiter whose counters start empty with the process (the
 * in-memory one): what each key with a quota spent so far this UTC day and month is read back from
 * the usage records, the durable truth, and charged to the buckets the gate checks. Without it a
 * restart would hand every key its day's and month's quota again. A persistent limiter (Redis) kept
 * its counters, and seeding it would count everything twice: nothing is read then. Keys without a
 * quota are not looked up; the keys with one are summed in one grouped query. Returns how many keys
 * had spent something.
 */
export async function seedQuotaCounters(
  store: Store, limiter: RateLimiter, gate: KeyLimitGate, keys: { activeLimits(): Promise<Array<{ id: string; limits: KeyLimits }>> }, now = Date.now(),
): Promise<number> {
  if (limiter.persistent) return 0;
  const limited = new Map((await keys.activeLimits()).filter((k) => gate.hasQuotas(k.limits)).map((k) => [k.id, k.limits]));
  if (limited.size === 0) return 0;
  const spent = await store.quotaSpend([...limited.keys()], quotaWindows(now));
  await Promise.all(spent.map((s) => gate.seed(s.keyId, limited.get(s.keyId)!, s, now)));
  return spent.length;
}
