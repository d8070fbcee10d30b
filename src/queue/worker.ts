import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { BlobStore } from '../blob/index.ts';
import type { EditEvent } from '../edits/job.ts';
import { errors, RetouchError } from '../errors.ts';
import { RESULT_TTL_SECONDS } from './bullmq.ts';
import type { ProcessEdit } from './index.ts';
import { QUEUE_NAME, queueNames, type QueueNames } from './names.ts';
import { ResultBook } from './results.ts';
import { errorToWire, type JobResult, pack, type QueuedEdit } from './wire.ts';

export interface EditWorkerOptions {
  redisUrl: string;
  redisPrefix: string;
  concurrency: number;
  /** How long a job stays locked without renewal: a killed worker's job is taken again after about this. */
  lockMs: number;
  logger: Logger;
}

/**
 * The worker's side of the BullMQ queue: takes jobs, runs the composition root's one `process` on
 * each, records the result under the job's id, and only then lets BullMQ acknowledge the job. A
 * job taken again after a stall whose result is already recorded returns it without editing again,
 * so an upstream is never paid twice for one job.
 */
export class EditWorker {
  private readonly names: QueueNames;
  private readonly results: ResultBook;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly opts: EditWorkerOptions,
    private readonly process: ProcessEdit,
    private readonly worker: Worker<QueuedEdit>,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    blobs: BlobStore,
  ) {
    this.names = queueNames(opts.redisPrefix);
    this.results = new ResultBook(redis, blobs, this.names, RESULT_TTL_SECONDS);
  }

  static async start(opts: EditWorkerOptions, processEdit: ProcessEdit, blobs: BlobStore): Promise<EditWorker> {
    const names = queueNames(opts.redisPrefix);
    const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
    const subscriber = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, connectTimeout: 5000, lazyConnect: true });
    redis.on('error', () => {});
    subscriber.on('error', () => {});
    await Promise.all([redis.connect(), subscriber.connect()]);
    let self: EditWorker | undefined;
    const worker = new Worker<QueuedEdit>(QUEUE_NAME, (job, _token, signal) => self!.handle(job, signal), {
      connection: { url: opts.redisUrl, maxRetriesPerRequest: null, connectTimeout: 5000 },
      prefix: names.bullPrefix,
      // Recorded on each job it takes (processedBy): which process ran a job, for operators and tests.
      name: `${hostname()}-${process.pid}`,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: Math.max(1000, Math.round(opts.lockMs / 2)),
      // One stall is a killed worker and the job runs again; a job that kills two workers is failed
      // rather than taken down a third.
      maxStalledCount: 1,
      autorun: false,
    });
    self = new EditWorker(opts, processEdit, worker, redis, subscriber, blobs);
    worker.on('error', (err) => opts.logger.warn({ err }, 'queue worker error'));
    worker.on('stalled', (jobId) => opts.logger.warn({ jobId }, 'a job stalled (its worker died?) and runs again'));
    // Cancels are broadcast; only the worker running the job has its AbortController.
    subscriber.on('message', (_channel: string, jobId: string) => { worker.cancelJob(jobId, 'cancelled'); });
    await subscriber.subscribe(names.cancelChannel);
    void worker.run().catch((err) => opts.logger.error({ err }, 'queue worker stopped'));
    await worker.waitUntilReady();
    return self;
  }

  private async handle(job: Job<QueuedEdit>, signal: AbortSignal | undefined): Promise<{ recorded: true }> {
    const { job: edit, deadline, events } = job.data;
    // One round trip: give back its waiting place (taken now), and read what a stalled earlier run
    // recorded and whether it was cancelled before this worker took it.
    const replies = await this.redis.multi()
      .zrem(this.names.waiting, edit.id)
      .getBuffer(this.names.result(edit.id))
      .exists(this.names.cancelled(edit.id))
      .exec();
    if (!replies || replies.some(([err]) => err)) throw new Error('Redis refused the job\'s first reads');
    const recorded = await this.results.decode(edit.id, replies[1]![1] as Buffer | null);
    if (recorded) {
      this.opts.logger.info({ jobId: edit.id }, 'job ran again after a stall; returning its recorded result');
      return settle(recorded);
    }
    let result: JobResult;
    if (replies[2]![1] === 1) {
      result = { ok: false, error: errorToWire(errors.cancelled()) };
    } else if (Date.now() >= deadline) {
      // Nobody waits for it any more (the queue was long, or no worker ran): no work for nobody.
      result = { ok: false, error: errorToWire(expired(deadline, job.timestamp)) };
    } else {
      result = await this.runEdit(job, signal, deadline, events);
    }
    await this.results.record(edit.id, result);
    return settle(result);
  }

  private async runEdit(job: Job<QueuedEdit>, signal: AbortSignal | undefined, deadline: number, events: boolean): Promise<JobResult> {
    const { job: edit } = job.data;
    const timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const channel = this.names.events(edit.id);
    const onEvent = events ? (e: EditEvent) => { void this.redis.publish(channel, pack(e)).catch(() => {}); } : undefined;
    try {
      const outcome = await this.process(edit, { signal: abort, ...(onEvent ? { onEvent } : {}) });
      return { ok: true, outcome };
    } catch (err) {
      let e = err instanceof RetouchError ? err : errors.internal(err);
      if (timeout.aborted && !signal?.aborted) e = Object.assign(expired(deadline, job.timestamp), { usage: (e as { usage?: unknown }).usage });
      if (e.status >= 500) this.opts.logger.warn({ err, jobId: edit.id }, 'edit failed');
      return { ok: false, error: errorToWire(e) };
    }
  }

  /** Whether the worker is taking jobs (for /ready). */
  running() { return this.worker.isRunning() && !this.closing; }

  /** Redis reachable (for /ready). */
  async check() { await this.redis.ping(); }

  /** Takes no new job, lets the running ones finish and record their results, then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Cancels are still heard while the running jobs finish.
      await this.worker.close();
      await this.subscriber.quit().catch(() => this.subscriber.disconnect());
      await this.redis.quit().catch(() => this.redis.disconnect());
    })();
    return this.closing;
  }
}

/**
 * What BullMQ is told once the result is recorded. A failed edit fails the job (no retry: the
 * result is recorded and would only be returned again); its envelope travels in the result, not in
 * BullMQ's failedReason.
 */
function settle(result: JobResult): { recorded: true } {
  if (!result.ok) throw new UnrecoverableError(result.error.code ?? result.error.type);
  return { recorded: true };
}

function expired(deadline: number, enqueuedAt: number) {
  const seconds = Math.round((deadline - enqueuedAt) / 1000);
  return new RetouchError(`The edit did not finish within ${seconds} s (queue wait included) and was stopped.`, {
    status: 504, type: 'server_error', code: 'edit_timeout', param: null,
  });
}
