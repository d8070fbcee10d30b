import { errors, RetouchError } from '../errors.ts';
import type { RateLimiter } from './index.ts';

export interface SemaphoreOptions {
  /** How long a lease lives unless renewed; a node that dies frees its leases after this. */
  leaseMs?: number;
  /** Calls allowed to wait on this node; beyond it a call gets 429 at once. */
  maxWaiting?: number;
  /** Longest poll interval while waiting. */
  maxPollMs?: number;
}

/**
 * At most `max` calls at once across every node sharing the limiter: each call holds a lease that
 * it renews while it runs and gives back when done. A lease whose node died lapses after `leaseMs`,
 * so a crash never holds a slot for good. Waiting calls poll with backoff and give up when their
 * signal aborts.
 */
export class DistributedSemaphore {
  private waiting = 0;
  private readonly leaseMs: number;
  private readonly maxWaiting: number;
  private readonly maxPollMs: number;

  constructor(private readonly limiter: RateLimiter, readonly name: string, readonly max: number, opts: SemaphoreOptions = {}) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.maxWaiting = opts.maxWaiting ?? 64;
    this.maxPollMs = opts.maxPollMs ?? 250;
  }

  async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const lease = await this.acquire(signal);
    const renew = setInterval(() => {
      void this.limiter.renewLease(this.name, lease, this.leaseMs).catch(() => {});
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.limiter.releaseLease(this.name, lease).catch(() => {});
    }
  }

  private async acquire(signal: AbortSignal): Promise<string> {
    const first = await this.limiter.acquireLease(this.name, this.max, this.leaseMs);
    if (first) return first;
    if (this.waiting >= this.maxWaiting) {
      throw errors.rateLimited(`Too many requests are waiting for the '${this.name}' backend; try again shortly.`, 5);
    }
    this.waiting++;
    try {
      let pause = 10;
      for (;;) {
        await sleep(pause, signal);
        const lease = await this.limiter.acquireLease(this.name, this.max, this.leaseMs);
        if (lease) return lease;
        pause = Math.min(this.maxPollMs, pause * 2);
      }
    } finally {
      this.waiting--;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms * (0.75 + Math.random() / 2));
    const onAbort = () => { clearTimeout(timer); reject(abortReason(signal)); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const abortReason = (signal: AbortSignal) => (signal.reason instanceof RetouchError ? signal.reason : errors.cancelled());
