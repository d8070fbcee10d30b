import type { EditEvent, EditJob, RunOptions } from '../edits/job.ts';
import { Followers } from './followers.ts';
import type { EditQueue, ProcessEdit } from './index.ts';

/**
 * The embedded default: the job runs in this process, in the request's own turn. Bounding happens
 * further in (the local engine's slots, each provider's concurrency), as it always has.
 */
export class InlineQueue implements EditQueue {
  readonly kind = 'inline' as const;
  private active = 0;
  /** Detached jobs running here, by id, so `cancel` can reach them and `close` can wait for them. */
  private readonly detached = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly followers = new Followers();

  /** `graceMs`: how long `close` lets detached jobs finish before it stops them. */
  constructor(private readonly process: ProcessEdit, private readonly graceMs = 30_000) {}

  async run(job: EditJob, { signal, onEvent }: RunOptions) {
    this.active++;
    const hear = (e: EditEvent) => {
      onEvent?.(e);
      this.followers.emit(job.id, e);
    };
    try {
      return await this.process(job, { signal, onEvent: hear });
    } finally {
      this.active--;
    }
  }

  async submit(job: EditJob) {
    const abort = new AbortController();
    // The processor records the outcome (or the failure) itself; only `close` waits on this.
    const done = this.run(job, { signal: abort.signal }).then(() => {}, () => {}).finally(() => this.detached.delete(job.id));
    this.detached.set(job.id, { abort, done });
  }

  /** A job here is never waiting for a processor: it runs from its submit, so none is taken out unseen. */
  async cancel(jobId: string) {
    this.detached.get(jobId)?.abort.abort();
    return null;
  }

  async follow(jobId: string, onEvent: (event: EditEvent) => void) {
    this.followers.add(jobId, onEvent);
    return () => void this.followers.remove(jobId, onEvent);
  }

  async depth() { return { waiting: 0, active: this.active }; }
  async check() {}
  /**
   * Lets the detached jobs finish, as a shutdown lets in-flight requests finish, for up to the grace;
   * then stops the rest, whose processors record why (job_interrupted) before the store closes.
   */
  async close() {
    const running = [...this.detached.values()];
    if (running.length === 0) return;
    const stop = setTimeout(() => { for (const r of running) r.abort.abort(); }, this.graceMs);
    await Promise.all(running.map((r) => r.done));
    clearTimeout(stop);
  }
}
