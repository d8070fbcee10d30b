import { errors, RetouchError } from '../errors.ts';

interface Waiter {
  weight: number;
  grant: () => void;
}

/**
 * At most `max` units of work for one backend at a time (an upstream provider, or the local engine);
 * up to `maxQueue` more calls wait, first come first served. A call usually takes one unit; a heavy
 * one may take more (never more than `max`, so it can always run alone). A call that finds the queue
 * full gets 429 at once rather than piling up memory; one whose client leaves while it waits gives
 * up its place.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly name: string, private readonly max: number, private readonly maxQueue: number, private readonly retryAfterSeconds = 5) {}

  /** Calls running now. */
  get inFlight() { return this.running; }
  get queued() { return this.waiting.length; }
  /** Units held by running calls (a heavy call holds several). */
  get unitsInUse() { return this.active; }

  async run<T>(fn: () => Promise<T>, signal: AbortSignal, weight = 1): Promise<T> {
    const units = Math.min(this.max, Math.max(1, Math.ceil(weight)));
    await this.acquire(signal, units);
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.active -= units;
      this.grantWaiting();
    }
  }

  /** Lets waiting calls in, in order, while the one at the head fits (no overtaking: fair to heavy calls). */
  private grantWaiting() {
    while (this.waiting.length && this.active + this.waiting[0]!.weight <= this.max) this.waiting.shift()!.grant();
  }

  private acquire(signal: AbortSignal, weight: number): Promise<void> {
    if (this.waiting.length === 0 && this.active + weight <= this.max) {
      this.active += weight;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) {
      return Promise.reject(errors.rateLimited(`Too many requests are waiting for the '${this.name}' backend; try again shortly.`, this.retryAfterSeconds));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        weight,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.active += weight;
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        // A heavy call leaving the head may let lighter ones behind it in.
        this.grantWaiting();
        reject(signal.reason instanceof RetouchError ? signal.reason : errors.cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }
}
