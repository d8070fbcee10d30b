import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { KeyService } from '../keys/index.ts';
import { rememberSecret } from '../log.ts';
import type { Redactor } from '../redact.ts';
import { safePost } from '../net/safe-post.ts';
import type { JobRecord, Store } from '../store/index.ts';
import { jobObject } from './view.ts';

/**
 * Delays after the first attempt, as Standard Webhooks senders (Svix) space them: 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h; an attempt due more than 24 h after the job was made is not made.
 */
export const WEBHOOK_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const WEBHOOK_GIVE_UP_MS = 24 * 3600_000;

export interface WebhookOptions {
  store: Store;
  keys: KeyService;
  logger: Logger;
  /** The job's error message passes it, as every message that leaves does. */
  redactor: Redactor;
  /** RETOUCH_WEBHOOK_ALLOW_PRIVATE: loopback and private receivers too (development, tests). */
  allowPrivate: boolean;
  /** The retry delays; tests shorten them. */
  scheduleMs?: number[];
  /** How often due attempts are looked for (a process that restarted picks its retries up so). */
  pollMs?: number;
  timeoutMs?: number;
  /** Attempts in flight at once, on this node (a sweep claims no more than there is room for). */
  concurrency?: number;
}

/** How long a claimed attempt is held before another sweeper may take it (a sender that died mid-post). */
const CLAIM_MS = 60_000;

/**
 * Attempts in flight at once by default: enough that receivers which hang until the timeout (15 s)
 * do not hold up the others, few enough that a sweep does not open hundreds of sockets.
 */
const CONCURRENCY = 16;

/**
 * Sends job webhooks, signed per Standard Webhooks with the key's `whsec_…` secret. Due attempts
 * live in the store (`webhook_next_at`), so retries survive restarts and any node may send them;
 * a claim in the store makes sure only one does. A 2xx ends it; anything else is retried on the
 * schedule, every attempt recorded on the job.
 *
 * Attempts run side by side (up to `concurrency`), and a sweep only claims and launches them: it
 * does not wait for them. Sent one after another, a receiver that never answers held every other
 * receiver's delivery (and the retries due meanwhile) behind its timeout, once per job.
 */
export class WebhookSender {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** The last sweep filled every free slot: more may be due, so an attempt that ends looks again. */
  private full = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly schedule: number[];
  private readonly concurrency: number;

  constructor(private readonly o: WebhookOptions) {
    this.schedule = o.scheduleMs ?? WEBHOOK_SCHEDULE_MS;
    this.concurrency = Math.max(1, o.concurrency ?? CONCURRENCY);
  }

  start(): void {
    this.timer = setInterval(() => this.poke(), this.o.pollMs ?? 5_000);
    this.timer.unref();
    this.poke(); // attempts left due by an earlier process
  }

  /** Stops looking for due attempts and waits for those in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.all(this.inFlight);
  }

  /** A job ended with a webhook due now: look at once rather than at the next poll. */
  poke(): void {
    if (this.stopped) return;
    if (this.sweeping) {
      this.again = true;
      return;
    }
    this.sweeping = this.sweep().finally(() => {
      this.sweeping = undefined;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  /** Claims as many due attempts as there are free slots and launches them, without waiting for them. */
  private async sweep(): Promise<void> {
    try {
      const room = this.concurrency - this.inFlight.size;
      this.full = room <= 0;
      if (this.full) return; // the next attempt to end looks again
      const now = Date.now();
      const due = await this.o.store.dueWebhooks(now, room);
      this.full = due.length >= room;
      for (const job of due) {
        if (this.stopped) return;
        if (job.webhookNextAt === null || !(await this.o.store.claimWebhook(job.id, job.webhookNextAt, now + CLAIM_MS))) continue;
        this.launch(job);
      }
    } catch (err) {
      this.o.logger.warn({ err }, 'webhook sweep failed');
    }
  }

  private launch(job: JobRecord): void {
    const running: Promise<void> = this.attempt(job)
      // The claim lapses after CLAIM_MS, and the attempt is made again then (here or on another node).
      .catch((err: unknown) => { this.o.logger.warn({ err, job: job.id }, 'webhook attempt failed to run'); })
      .finally(() => {
        this.inFlight.delete(running);
        if (this.full) this.poke();
      });
    this.inFlight.add(running);
  }

  /** One delivery attempt of a claimed job's webhook, recorded, and the next one scheduled or none. */
  private async attempt(job: JobRecord): Promise<void> {
    const secret = job.keyId ? await this.o.keys.webhookSecret(job.keyId) : undefined;
    const started = Date.now();
    const previous = await this.o.store.webhookAttempts(job.id);
    let result: { status: number | null; error: string | null; refused?: true };
    if (!secret) {
      result = { status: null, error: 'the key has no webhook secret (keys from RETOUCH_API_KEYS cannot sign)' };
    } else {
      rememberSecret(this.o.logger, secret);
      const { webhook: _, ...payload } = jobObject(job, undefined, [], this.o.redactor);
      const body = Buffer.from(JSON.stringify({ type: `image.edit.job.${job.status}`, timestamp: new Date(started).toISOString(), data: payload }));
      // One id per message, the same on every retry: receivers dedupe on it.
      const id = `msg_${job.id.slice('job_'.length)}`;
      const signature = new Webhook(secret).sign(id, new Date(started), body);
      const res = await safePost(job.webhookUrl!, body, {
        headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(started / 1000)), 'webhook-signature': signature },
        timeoutMs: this.o.timeoutMs ?? 15_000, allowPrivateAddresses: this.o.allowPrivate,
      });
      result = res.status === null ? res
        : { status: res.status, error: res.status >= 200 && res.status < 300 ? null : `the receiver answered ${res.status}` };
    }
    const at = Date.now();
    await this.o.store.insertWebhookAttempt({ jobId: job.id, at: started, status: result.status, error: result.error, durationMs: at - started });
    if (result.error === null) {
      await this.o.store.updateJob(job.id, { webhookNextAt: null, webhookDeliveredAt: at }, at);
      return;
    }
    const delay = this.schedule[previous.length];
    // A receiver refused for where it points (a private address, now or after a redirect) stays
    // refused: retrying for 24 h would only repeat it. A name that does not resolve is retried.
    const next = result.refused || delay === undefined || at + delay - job.createdAt > WEBHOOK_GIVE_UP_MS ? null : at + delay;
    await this.o.store.updateJob(job.id, { webhookNextAt: next }, at);
    this.o.logger.info({ job: job.id, status: result.status, next }, next ? 'webhook attempt failed; will retry' : 'webhook given up');
    if (next !== null && delay! < (this.o.pollMs ?? 5_000)) setTimeout(() => this.poke(), delay).unref();
  }
}
