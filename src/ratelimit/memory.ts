import { randomUUID } from 'node:crypto';
import type { CounterHit, RateLimiter } from './index.ts';

/** The embedded limiter: counters and leases in this process; atomic because JS runs one call at a time. */
export class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory';
  readonly persistent = false;
  private readonly counters = new Map<string, { value: number; resetAt: number }>();
  private readonly leaseSets = new Map<string, Map<string, number>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    // Expired windows are dropped now and then, so a key that stops calling costs nothing.
    this.timer = setInterval(() => this.prune(), 60_000);
    this.timer.unref();
  }

  private counter(bucket: string) {
    const c = this.counters.get(bucket);
    if (c && c.resetAt <= this.now()) {
      this.counters.delete(bucket);
      return undefined;
    }
    return c;
  }

  async consume(bucket: string, cost: number, limit: number, resetAt: number): Promise<CounterHit> {
    const used = this.counter(bucket)?.value ?? 0;
    if (used + cost > limit) return { allowed: false, used };
    this.counters.set(bucket, { value: used + cost, resetAt });
    return { allowed: true, used: used + cost };
  }

  async charge(bucket: string, cost: number, resetAt: number) {
    const value = (this.counter(bucket)?.value ?? 0) + cost;
    this.counters.set(bucket, { value, resetAt });
    return value;
  }

  async peek(bucket: string) {
    return this.counter(bucket)?.value ?? 0;
  }

  private live(name: string) {
    const set = this.leaseSets.get(name) ?? new Map<string, number>();
    this.leaseSets.set(name, set);
    const now = this.now();
    for (const [id, expires] of set) if (expires <= now) set.delete(id);
    return set;
  }

  async acquireLease(name: string, max: number, ttlMs: number) {
    const set = this.live(name);
    if (set.size >= max) return null;
    const id = randomUUID();
    set.set(id, this.now() + ttlMs);
    return id;
  }

  async renewLease(name: string, id: string, ttlMs: number) {
    const set = this.live(name);
    if (!set.has(id)) return false;
    set.set(id, this.now() + ttlMs);
    return true;
  }

  async releaseLease(name: string, id: string) {
    this.leaseSets.get(name)?.delete(id);
  }

  async leases(name: string) {
    return this.live(name).size;
  }

  private prune() {
    const now = this.now();
    for (const [k, c] of this.counters) if (c.resetAt <= now) this.counters.delete(k);
    for (const [name, set] of this.leaseSets) {
      for (const [id, expires] of set) if (expires <= now) set.delete(id);
      if (set.size === 0) this.leaseSets.delete(name);
    }
  }

  async close() {
    clearInterval(this.timer);
  }
}
