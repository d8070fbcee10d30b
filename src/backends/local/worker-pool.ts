import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

/**
 * The local engine's worker threads, one pool per engine, for work that would block the event loop
 * (wasm, per-pixel JS loops). Tasks are the named exports of workers.mjs.
 */
export class EngineWorkers {
  private readonly pool = new Piscina({
    filename: new URL('./workers.mjs', import.meta.url).href,
    // None until needed: an idle server holds no worker (each is a V8 isolate of its own).
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism()),
    idleTimeout: 60_000,
  });

  run<T>(task: 'grabCut' | 'recolor', input: unknown, signal: AbortSignal): Promise<T> {
    return this.pool.run(input, { name: task, signal });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
