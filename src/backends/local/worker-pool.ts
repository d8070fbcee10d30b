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

  /** Model tasks run one at a time, in turn; this is the end of the line. */
  private modelTurn: Promise<unknown> = Promise.resolve();

  /**
   * Runs an ONNX model task; `transfer` lists buffers handed to the worker instead of copied.
   *
   * An abort answers the caller at once, but a task already running is let finish and its result
   * dropped: Piscina aborts a running task by terminating its thread, and terminating a thread
   * inside onnxruntime's native run ends the whole process (std::terminate). A task still waiting
   * for its turn is skipped instead. The turns are kept here, not in Piscina's queue, for that.
   */
  runModel<T>(task: 'segment' | 'modelSide', input: unknown, signal: AbortSignal, transfer: ArrayBuffer[] = []): Promise<T> {
    const turn = this.modelTurn.then(() => {
      if (signal.aborted) throw signal.reason;
      return this.models.run(input, { name: task, transferList: transfer }) as Promise<T>;
    });
    this.modelTurn = turn.catch(() => {});
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async close(): Promise<void> {
    // A model task still running is let finish first, for the reason runModel gives.
    await this.modelTurn;
    await Promise.all([this.pool.destroy(), this.models.destroy()]);
  }
}
