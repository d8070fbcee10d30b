import type { Logger } from 'pino';
import type { BlobStore } from './blob/index.ts';

/** Deletes hosted results older than the retention period, a few times per period. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly blobs: BlobStore, private readonly ttlMs: number, private readonly logger: Logger) {}

  start(): void {
    const every = Math.min(this.ttlMs / 4, 15 * 60_000);
    this.timer = setInterval(() => void this.sweepOnce(), every);
    // The sweep must never keep the process alive on its own.
    this.timer.unref();
  }

  async sweepOnce(now = Date.now()): Promise<number> {
    try {
      const removed = await this.blobs.sweep(now - this.ttlMs);
      if (removed) this.logger.info({ removed }, 'expired hosted images removed');
      return removed;
    } catch (err) {
      this.logger.warn({ err }, 'retention sweep failed');
      return 0;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
