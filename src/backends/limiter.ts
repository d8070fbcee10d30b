import { errors, RetouchError } from '../errors.ts';

/**
 * At most `max` calls to one backend at a time (an upstream provider, or the local engine); up to `maxQueue` more wait in order. A request that
 * finds the queue full gets 429 at once rather than piling up memory; one whose client leaves while
 * it waits gives up its place.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly name: string, private readonly max: number, private readonly maxQueue: number, private readonly retryAfterSeconds = 5) {}

  get inFlight() { return this.active; }
  get queued() { return this.waiting.length; }

  async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) {
      return Promise.reject(errors.rateLimited(`Too many requests are waiting for the '${this.name}' backend; try again shortly.`, this.retryAfterSeconds));
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason instanceof RetouchError ? signal.reason : errors.cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }
}
