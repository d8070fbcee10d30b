/**
 * The limiter port: counters in fixed windows and leases that expire, both atomic. The embedded
 * default keeps them in this process (memory.ts); with RETOUCH_REDIS_URL every node shares them
 * (redis.ts). Callers name the window in the bucket (`rpm:<key>:<minute>`), so nodes agree on it.
 */
export interface CounterHit {
  allowed: boolean;
  /** The counter after this call (unchanged when refused). */
  used: number;
}

export interface RateLimiter {
  readonly kind: string;
  /**
   * Whether the counters outlive this process (kept in a shared service). When false they start
   * empty with each process, and whoever needs a counter to span restarts (the quotas of a day or a
   * month) rebuilds it at start from what the store recorded (seed-quotas.ts).
   */
  readonly persistent: boolean;
  /** Adds `cost` to `bucket` only if the total stays within `limit`; the bucket ends at `resetAt` (ms). */
  consume(bucket: string, cost: number, limit: number, resetAt: number): Promise<CounterHit>;
  /** Adds `cost` whatever the total (work already done); returns the new total. */
  charge(bucket: string, cost: number, resetAt: number): Promise<number>;
  /** The counter now (0 when absent or expired). */
  peek(bucket: string): Promise<number>;
  /** One of `max` leases on `name` for `ttlMs`, or null when all are held. A lease not renewed expires. */
  acquireLease(name: string, max: number, ttlMs: number): Promise<string | null>;
  /** Extends a lease; false when it had already expired (and may have been given to someone else). */
  renewLease(name: string, id: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, id: string): Promise<void>;
  /** Leases held now on `name` (for tests and metrics). */
  leases(name: string): Promise<number>;
  close(): Promise<void>;
}
