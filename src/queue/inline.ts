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
  /** Detached jobs running here, by id, so `cancel` can reach them. */
  private readonly detached = new Map<string, AbortController>();
  private readonly followers = new Followers();

  constructor(private readonly process: ProcessEdit) {}

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
    this.detached.set(job.id, abort);
    // The processor records the outcome (or the failure) itself; nothing waits on this promise.
    void this.run(job, { signal: abort.signal }).catch(() => {}).finally(() => this.detached.delete(job.id));
  }

  /** A job here is never waiting for a processor: it runs from its submit, so none is taken out unseen. */
  async cancel(jobId: string) {
    this.detached.get(jobId)?.abort();
    return null;
  }

  async follow(jobId: string, onEvent: (event: EditEvent) => void) {
    this.followers.add(jobId, onEvent);
    return () => void this.followers.remove(jobId, onEvent);
  }

  async depth() { return { waiting: 0, active: this.active }; }
  async check() {}
  async close() { for (const a of this.detached.values()) a.abort(); }
}
