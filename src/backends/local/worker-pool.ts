import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

/**
 * The local engine's worker threads, for work that would block the event loop: one pool for wasm
 * and per-pixel JS loops (tasks are the named exports of workers.mjs), and one single thread for
 * ONNX models (segment/onnx-worker.mjs), so a loaded model is held once, not once per core.
 */
export class EngineWorkers {
  private readonly pool = new Piscina({
    filename: new URL('./workers.mjs', import.meta.url).href,
    // None until needed: an idle server holds no worker (each is a V8 isolate of its own).
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism()),
    idleTimeout: 60_000,
  });

  private readonly models = new Piscina({
    filename: new URL('./segment/onnx-worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: 1,
    // The model stays loaded between requests; after ten idle minutes its memory is given back.
    idleTimeout: 600_000,
  });

  run<T>(task: 'grabCut' | 'recolor' | 'splash', input: unknown, signal: AbortSignal): Promise<T> {
    return this.pool.run(input, { name: task, signal });
  }

  /** Runs an ONNX model task; `transfer` lists buffers handed to the worker instead of copied. */
  runModel<T>(task: 'segment' | 'modelSide', input: unknown, signal: AbortSignal, transfer: ArrayBuffer[] = []): Promise<T> {
    return this.models.run(input, { name: task, signal, transferList: transfer });
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.destroy(), this.models.destroy()]);
  }
}
