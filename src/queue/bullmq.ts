import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { BlobStore } from '../blob/index.ts';
import type { EditEvent, EditJob, RunOptions } from '../edits/job.ts';
import type { EditOutcome } from '../edits/service.ts';
import { errors, RetouchError } from '../errors.ts';
import type { EditQueue, QueueDepth } from './index.ts';
import { QUEUE_NAME, queueNames, type QueueNames } from './names.ts';
import { Followers } from './followers.ts';
import { ResultBook } from './results.ts';
import { errorFromWire, type QueuedEdit, unpack } from './wire.ts';

export interface BullmqQueueOptions {
  redisUrl: string;
  redisPrefix: string;
  /** Jobs allowed to wait for a worker, cluster-wide; beyond it `run` and `submit` refuse with 429. */
  maxWaiting: number;
  /** How long a job may take, queue wait included. */
  deadlineMs: number;
  /**
   * Ends the record of a job BullMQ failed without a processor recording its end (its workers died
   * on it; it waited past its deadline): async jobs nobody waits for must not stay queued or running.
   */
  onUnprocessed?: (job: EditJob, error: RetouchError) => Promise<void>;
}

/** Finished jobs (and their recorded results) are kept this long, then BullMQ and Redis drop them. */
export const RESULT_TTL_SECONDS = 3600;
const FAILED_TTL_SECONDS = 24 * 3600;
/** Seconds a client refused by a full queue is told to wait: about one local edit. */
const FULL_RETRY_AFTER_SECONDS = 2;

// Expiry on Redis's clock (TIME), so nodes with skewed clocks agree on when a place has lapsed.
const ADMIT = `
local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

interface AdmitScript {
  rtAdmit(key: string, max: number, ttlMs: number, jobId: string): Promise<number>;
}

/**
 * The API node's side of the BullMQ queue: it enqueues jobs and waits for their outcome, which a
 * `retouch worker` records (src/queue/worker.ts). Completion comes through BullMQ's QueueEvents
 * (a Redis stream, so no event is missed), a job's stage and partial-image events through a pub/sub
 * channel of its own, subscribed only while someone listens.
 */
export class BullmqQueue implements EditQueue {
  readonly kind = 'bullmq' as const;
  private readonly names: QueueNames;
  private readonly results: ResultBook;

  private constructor(
    private readonly opts: BullmqQueueOptions,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly redis: Redis & AdmitScript,
    private readonly subscriber: Redis,
    blobs: BlobStore,
  ) {
    this.names = queueNames(opts.redisPrefix);
    this.results = new ResultBook(redis, blobs, this.names, RESULT_TTL_SECONDS);
    // Every failure BullMQ records reaches every API node; ending the job's record is conditional, so
    // whichever node comes first does it (reap).
    events.on('failed', ({ jobId }) => void this.reap(jobId));
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const jobId = this.jobOfChannel.get(channel.toString());
      if (!jobId) return;
      let event: EditEvent;
      try {
        event = unpack<EditEvent>(message);
      } catch {
        return; // not ours to understand; the job's record still tells its outcome
      }
      this.followers.emit(jobId, event);
    });
  }

  /** Who listens to which job's events here (a waiting run, followers of async jobs). */
  private readonly followers = new Followers();
  /** The job of each channel subscribed to. */
  private readonly jobOfChannel = new Map<string, string>();

  static async connect(opts: BullmqQueueOptions, blobs: BlobStore): Promise<BullmqQueue> {
    const names = queueNames(opts.redisPrefix);
    // Commands of a request fail fast when Redis is away (the client hears 503), never queue up.
    const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
    const subscriber = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
    // Both reconnect on their own; commands fail meanwhile and the caller hears it.
    redis.on('error', () => {});
    subscriber.on('error', () => {});
    redis.defineCommand('rtAdmit', { numberOfKeys: 1, lua: ADMIT });
    const connection = { url: opts.redisUrl, maxRetriesPerRequest: null, connectTimeout: 5000 };
    const queue = new Queue<QueuedEdit>(QUEUE_NAME, { connection, prefix: names.bullPrefix });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix: names.bullPrefix });
    // BullMQ reports connection trouble as 'error' events; without a listener they would crash the node.
    queue.on('error', () => {});
    events.on('error', () => {});
    try {
      await Promise.all([redis.connect(), subscriber.connect(), queue.waitUntilReady(), events.waitUntilReady()]);
    } catch (err) {
      await Promise.allSettled([queue.close(), events.close()]);
      redis.disconnect();
      subscriber.disconnect();
      throw err;
    }
    return new BullmqQueue(opts, queue, events, redis as Redis & AdmitScript, subscriber, blobs);
  }

  async run(job: EditJob, { signal, onEvent }: RunOptions): Promise<EditOutcome> {
    if (signal.aborted) throw errors.cancelled();
    await this.admit(job.id);
    const deadline = Date.now() + this.opts.deadlineMs;
    const cleanups: Array<() => void> = [];
    try {
      if (onEvent) cleanups.push(await this.follow(job.id, onEvent));
      // Listen before adding, so a job finished at once cannot slip past.
      const finished = this.finished(job.id, cleanups);
      const added = await this.enqueue(job, deadline, !!onEvent);
      // A job of this id may exist already (the same request added twice) and have ended before we
      // listened: ask its state alongside, which costs the common case no wait.
      const already = added.getState().then((s) => (s === 'completed' || s === 'failed' ? s : new Promise<never>(() => {})), () => new Promise<never>(() => {}));
      const ended = Promise.race([finished, already]);

      const stopped = new Promise<'aborted' | 'deadline'>((resolve) => {
        const onAbort = () => resolve('aborted');
        signal.addEventListener('abort', onAbort, { once: true });
        const timer = setTimeout(() => resolve('deadline'), Math.max(0, deadline - Date.now()));
        cleanups.push(() => { signal.removeEventListener('abort', onAbort); clearTimeout(timer); });
      });
      const how = await Promise.race([ended, stopped]);
      if (how === 'aborted' || how === 'deadline') {
        await this.cancel(job.id).catch(() => {});
        if (how === 'aborted') throw errors.cancelled();
        throw new RetouchError(`The edit did not finish within ${Math.round(this.opts.deadlineMs / 1000)} s (no worker took it in time, or it ran too long) and was cancelled.`, {
          status: 504, type: 'server_error', code: 'edit_timeout', param: null,
        });
      }
      // The job's last events were published before it completed, but on another connection than
      // QueueEvents': a round trip on the subscriber's own connection delivers any still in flight.
      if (onEvent) await this.subscriber.ping().catch(() => {});
      return await this.outcome(job.id);
    } finally {
      for (const c of cleanups) c();
    }
  }

  async submit(job: EditJob) {
    await this.admit(job.id);
    // Its events are published: a client may follow the job (GET …/events), and waiting for its end wakes on them.
    await this.enqueue(job, Date.now() + this.opts.deadlineMs, true);
  }

  async cancel(jobId: string) {
    // The mark first: a worker that takes the job after the broadcast below still sees it.
    await this.redis.set(this.names.cancelled(jobId), '1', 'PX', this.opts.deadlineMs);
    const job = await Job.fromId<QueuedEdit>(this.queue, jobId);
    if (!job) return null;
    // A waiting job is simply removed; an active one is locked by its worker, which hears the broadcast.
    const removed = await job.remove().then(() => true, () => false);
    if (removed) {
      await this.redis.zrem(this.names.waiting, jobId);
      return job.data.job;
    }
    await this.redis.publish(this.names.cancelChannel, jobId);
    return null;
  }

  async follow(jobId: string, onEvent: (event: EditEvent) => void) {
    const channel = this.names.events(jobId);
    if (this.followers.add(jobId, onEvent)) {
      this.jobOfChannel.set(channel, jobId);
      await this.subscriber.subscribe(channel).catch((err: unknown) => {
        this.unfollow(jobId, channel, onEvent);
        throw new RetouchError('The job queue (Redis) cannot be reached; try again shortly.', { status: 503, type: 'server_error', code: 'service_unavailable', retryAfter: 1, cause: err });
      });
    }
    return () => this.unfollow(jobId, channel, onEvent);
  }

  private unfollow(jobId: string, channel: string, onEvent: (event: EditEvent) => void) {
    if (!this.followers.remove(jobId, onEvent)) return;
    this.jobOfChannel.delete(channel);
    void this.subscriber.unsubscribe(channel).catch(() => {});
  }

  async depth(): Promise<QueueDepth> {
    const counts = await this.queue.getJobCounts('waiting', 'active');
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0 };
  }

  async check() {
    try {
      await this.redis.ping();
      await this.queue.getWaitingCount();
    } catch (err) {
      throw new RetouchError('The job queue (Redis) cannot be reached.', { status: 503, type: 'server_error', code: 'service_unavailable', retryAfter: 1, cause: err });
    }
  }

  async close() {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    await Promise.allSettled([this.redis.quit(), this.subscriber.quit()]);
  }

  /**
   * Takes one of the queue's waiting places, or refuses at once when all are taken. Atomic in Redis
   * (a burst on several nodes cannot overshoot); a place lapses at the job's deadline, so a node or
   * worker that dies holding one does not shrink the queue for good. The worker that takes the job
   * gives its place back.
   */
  private async admit(jobId: string) {
    const taken = await this.redis.rtAdmit(this.names.waiting, this.opts.maxWaiting, this.opts.deadlineMs, jobId).catch((err: unknown) => {
      throw new RetouchError('The job queue (Redis) cannot be reached; try again shortly.', { status: 503, type: 'server_error', code: 'service_unavailable', retryAfter: 1, cause: err });
    });
    if (taken !== 1) {
      throw errors.rateLimited(`The server is busy: ${this.opts.maxWaiting} edits are already waiting for a worker. Try again shortly.`, FULL_RETRY_AFTER_SECONDS);
    }
  }

  /** Adds an admitted job; gives its place back if the add fails. */
  private async enqueue(job: EditJob, deadline: number, events: boolean) {
    try {
      return await this.add(job, deadline, events);
    } catch (err) {
      await this.redis.zrem(this.names.waiting, job.id).catch(() => {});
      throw new RetouchError('The job queue (Redis) cannot be reached; try again shortly.', { status: 503, type: 'server_error', code: 'service_unavailable', retryAfter: 1, cause: err });
    }
  }

  private add(job: EditJob, deadline: number, events: boolean) {
    const data: QueuedEdit = { job, deadline, events };
    return this.queue.add('edit', data, {
      // The request id: adding the same request twice finds the first job rather than a second one.
      jobId: job.id,
      attempts: 1,
      removeOnComplete: { age: RESULT_TTL_SECONDS, count: 10_000 },
      removeOnFail: { age: FAILED_TTL_SECONDS, count: 10_000 },
    });
  }

  /** Resolves when QueueEvents reports the job completed or failed. */
  private finished(jobId: string, cleanups: Array<() => void>): Promise<'completed' | 'failed'> {
    return new Promise((resolve) => {
      const completed = () => resolve('completed');
      const failed = () => resolve('failed');
      this.events.on(`completed:${jobId}` as 'completed', completed);
      this.events.on(`failed:${jobId}` as 'failed', failed);
      cleanups.push(() => {
        this.events.off(`completed:${jobId}` as 'completed', completed);
        this.events.off(`failed:${jobId}` as 'failed', failed);
      });
    });
  }

  /** The recorded result of an ended job, as the inline queue would have returned or thrown it. */
  private async outcome(jobId: string): Promise<EditOutcome> {
    const result = await this.results.read(jobId);
    // Failed without a recorded result: its worker died on it twice (BullMQ's stalled limit).
    if (!result) throw workerLost();
    if (!result.ok) throw errorFromWire(result.error);
    return result.outcome;
  }

  /**
   * A job BullMQ failed: when it carries a job record (an async or idempotent job), its end is
   * recorded with the error the worker recorded, or worker_lost when none did. A processor that
   * recorded the end itself has already moved the record on, and nothing changes.
   */
  private async reap(bullJobId: string): Promise<void> {
    if (!this.opts.onUnprocessed) return;
    try {
      const edit = (await Job.fromId<QueuedEdit>(this.queue, bullJobId))?.data?.job;
      if (!edit?.jobId) return;
      const recorded = await this.results.read(bullJobId);
      if (recorded?.ok) return;
      await this.opts.onUnprocessed(edit, recorded ? errorFromWire(recorded.error) : workerLost());
    } catch {
      // Redis or the store away: another node hearing the same failure may end it.
    }
  }
}

function workerLost(): RetouchError {
  return new RetouchError('The worker running this edit stopped before finishing it (it was taken up again and lost again).', {
    status: 502, type: 'server_error', code: 'worker_lost', param: null,
  });
}
