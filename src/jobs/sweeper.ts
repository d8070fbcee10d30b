import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';

export interface JobSweeperOptions {
  store: Store;
  logger: Logger;
  /** Jobs are kept as long as their images (RETOUCH_IMAGE_TTL_HOURS). */
  retentionMs: number;
  /**
   * Inline queue only: a queued or running job whose record went untouched this long belongs to a
   * process that died (the processor touches it while it runs), and is failed. Undefined with
   * BullMQ, whose workers pick such jobs up again.
   */
  staleAfterMs?: number;
  /** Called with the jobs failed as stale (their webhooks are due). */
  onFailed?: (ids: string[]) => void;
}

/** Idempotency-Key records last 24 h. */
export const IDEMPOTENCY_MS = 24 * 3600_000;

/** The end of a job whose process died under it (the sweeper's, or a retry's that takes it over). */
export const INTERRUPTED = {
  message: 'The server restarted before this job finished; nothing was delivered. Submit it again.',
  type: 'server_error', param: null, code: 'job_interrupted', status: 500,
};

/** Fails the jobs of dead processes, and deletes jobs and idempotency records past their time. */
export class JobSweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: JobSweeperOptions) {}

  start(): void {
    const every = Math.max(50, Math.min((this.o.staleAfterMs ?? 60_000) / 2, 60_000));
    this.timer = setInterval(() => void this.sweepOnce(), every);
    this.timer.unref();
    void this.sweepOnce();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sweepOnce(now = Date.now()): Promise<void> {
    try {
      if (this.o.staleAfterMs !== undefined) {
        const failed = await this.o.store.failUnfinishedJobs(INTERRUPTED, now, now - this.o.staleAfterMs);
        if (failed.length) {
          this.o.logger.warn({ jobs: failed }, 'jobs left unfinished by an earlier process marked failed');
          this.o.onFailed?.(failed);
        }
      }
      await this.o.store.deleteJobsBefore(now - this.o.retentionMs);
      await this.o.store.deleteIdempotencyBefore(now - IDEMPOTENCY_MS);
    } catch (err) {
      this.o.logger.warn({ err }, 'job sweep failed');
    }
  }
}
