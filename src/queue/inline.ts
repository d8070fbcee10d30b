import type { EditJob, RunOptions } from '../edits/job.ts';
import type { EditQueue, ProcessEdit } from './index.ts';

/**
 * The embedded default: the job runs in this process, in the request's own turn. Bounding happens
 * further in (the local engine's slots, each provider's concurrency), as it always has.
 */
export class InlineQueue implements EditQueue {
  readonly kind = 'inline' as const;
  private active = 0;

  constructor(private readonly process: ProcessEdit) {}

  async run(job: EditJob, opts: RunOptions) {
    this.active++;
    try {
      return await this.process(job, opts);
    } finally {
      this.active--;
    }
  }

  async depth() { return { waiting: 0, active: this.active }; }
  async check() {}
  async close() {}
}
