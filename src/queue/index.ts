import type { EditEvent, EditJob, RunOptions } from '../edits/job.ts';
import type { EditOutcome } from '../edits/service.ts';

/**
 * The processor a queue runs for each job: `EditService.run` as the composition root wraps it (job
 * records, webhooks). Every queue implementation calls exactly this, whether in this process or in a
 * worker on another machine.
 */
export type ProcessEdit = (job: EditJob, opts: RunOptions) => Promise<EditOutcome>;

/** How many jobs wait and run, for metrics and readiness. */
export interface QueueDepth {
  waiting: number;
  active: number;
}

/**
 * Where edits run. The door hands a job over and waits for its outcome; `inline` runs it in this
 * process, `bullmq` on a worker process. Aborting `signal` cancels the job; `onEvent` hears its stages
 * and partial images wherever it runs. A queue that is full refuses at once (429), never piles up.
 */
export interface EditQueue {
  readonly kind: 'inline' | 'bullmq';
  run(job: EditJob, opts: RunOptions): Promise<EditOutcome>;
  /**
   * Hands a job over without waiting (async jobs): the processor records its outcome where the
   * client will look for it. Resolves once the job is accepted; refuses (429) when full.
   */
  submit(job: EditJob): Promise<void>;
  /**
   * Cancels a job by id, waiting or running, wherever it runs; a job already ended is left as is.
   * Resolves to the job when it was taken out before any processor saw it (so the caller settles
   * what it held), else null.
   */
  cancel(jobId: string): Promise<EditJob | null>;
  /**
   * Hears the events of a job (by its request id) wherever it runs, from now until the returned
   * function is called: what a client following an async job sees. Events sent before are not
   * replayed; a follower reads the job's record for what it missed.
   */
  follow(jobId: string, onEvent: (event: EditEvent) => void): Promise<() => void>;
  depth(): Promise<QueueDepth>;
  /** Throws when the queue cannot take jobs now (for /ready). */
  check(): Promise<void>;
  close(): Promise<void>;
}
