import type { EditJob, RunOptions } from '../edits/job.ts';
import type { EditQueue, ProcessEdit } from './index.ts';

/**
 * The embedded default: the job runs in this process, in the request's own turn. Bounding happens
 * further in (the local engine's slots, each provider's concurrency), as it always has.
 */
export class InlineQueue implements EditQueue {
  readonly kind = 'inline' as const;
  private active = 0;
  /** Detached jobs running here, by id, so `cancel` can reach them. */
  private readonly detached = new Map<string, AbortController>();

  constructor(private readonly process: ProcessEdit) {}

  async run(job: EditJob, opts: RunOptions) {
    this.active++;
    try {
      return await this.process(job, opts);
    } finally {
      this.active--;
    }
  }

  async submit(job: EditJob) {
    const abort = new AbortController();
    this.detached.set(job.id, abort);
    // The processor records the outcome (or the failure) itself; nothing waits on this promise.
    void this.run(job, { signal: abort.signal }).catch(() => {}).finally(() => this.detached.delete(job.id));
  }

  async cancel(jobId: string) { this.detached.get(jobId)?.abort(); }

  async depth() { return { waiting: 0, active: this.active }; }
  async check() {}
  async close() { for (const a of this.detached.values()) a.abort(); }
}
