import type { BlobStore } from '../blob/index.ts';
import type { EditEvent, EditJob } from '../edits/job.ts';
import type { ResponseFormat } from '../edits/request.ts';
import { errors } from '../errors.ts';
import { newId } from '../ids.ts';
import type { EditQueue } from '../queue/index.ts';
import type { KeyLimitGate } from '../ratelimit/key-limits.ts';
import type { Redactor } from '../redact.ts';
import type { JobRecord, Store } from '../store/index.ts';
import { ENDED } from '../store/jobs.ts';
import { jobData, jobObject } from './view.ts';

export interface JobsDeps {
  store: Store;
  blobs: BlobStore;
  queue: EditQueue;
  redactor: Redactor;
  /** Settles the admission of a job taken out of the queue before it ran. */
  gate: KeyLimitGate;
  /** A job that ended without running its processor (canceled): its webhook is due now. */
  onWebhookDue?: (jobId: string) => void;
}

const CANCELED = { message: 'The job was canceled by its client.', type: 'invalid_request_error', param: null, code: 'job_canceled' };

/** Waiting for a job re-reads its record this often at most, for an end no event announced. */
const REREAD_MAX_MS = 1000;

/**
 * Async jobs (`Prefer: respond-async`): made `queued` in the store, handed to the queue, read back
 * by their key only. The processor (processor.ts) moves them on from there, wherever it runs, and
 * the queue carries their events to whoever follows them.
 */
export class Jobs {
  constructor(private readonly deps: JobsDeps) {}

  /** Records the job as queued (for an edit that will run with `jobId` set, in a queue or in the request). */
  async create(job: EditJob, o: { webhookUrl: string | null; responseFormat: ResponseFormat }): Promise<JobRecord> {
    const now = Date.now();
    const record: JobRecord = {
      id: job.jobId ?? newId('job'), requestId: job.id, keyId: job.keyId, status: 'queued', model: job.fields.model,
      createdAt: now, updatedAt: now, result: null, error: null, responseFormat: o.responseFormat,
      webhookUrl: o.webhookUrl, webhookNextAt: null, webhookDeliveredAt: null,
    };
    await this.deps.store.insertJob(record);
    return record;
  }

  /** Records the job as queued and submits it; the processor settles its admission when it ends. */
  async submit(job: EditJob, o: { webhookUrl: string | null; responseFormat: ResponseFormat }): Promise<JobRecord> {
    const record = await this.create(job, o);
    try {
      await this.deps.queue.submit({ ...job, jobId: record.id });
    } catch (err) {
      // Refused (a full queue): the job never ran, and says so.
      await this.deps.store.updateJob(record.id, { status: 'failed', error: { message: String((err as Error).message), type: 'server_error', param: null, code: 'job_refused' } }, Date.now(), ['queued']);
      throw err;
    }
    return record;
  }

  /** The job of `keyId`, or 404: another key's job is as absent as one that never was. */
  async get(id: string, keyId: string | null): Promise<JobRecord> {
    const job = /^job_[0-9a-z]{26}$/i.test(id) ? await this.deps.store.getJob(id) : null;
    if (!job || job.keyId !== keyId) throw errors.notFound(`No job '${id}' for this API key.`);
    return job;
  }

  /**
   * Hears a job's events (stages, partial images) wherever it runs, until the returned function is
   * called. Events reach only followers the queue can reach: a job run inline by another API node
   * is seen through its record alone.
   */
  follow(job: JobRecord, onEvent: (event: EditEvent) => void): Promise<() => void> {
    return this.deps.queue.follow(job.requestId, onEvent);
  }

  /**
   * Waits up to `ms` for the job to end. Its 'ended' event (sent once the outcome is in the store)
   * wakes the wait at once; the record is also re-read now and then, for an end no event announces.
   */
  async wait(job: JobRecord, ms: number, signal?: AbortSignal): Promise<JobRecord> {
    if (ENDED.includes(job.status) || ms <= 0) return job;
    const deadline = Date.now() + ms;
    let endedHeard = false;
    let wake = () => {};
    const unfollow = await this.follow(job, (e) => {
      if (e.type === 'stage' && e.stage === 'ended') { endedHeard = true; wake(); }
    }).catch(() => () => {}); // no events (Redis away): the re-reads alone
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let pause = 100;
      for (;;) {
        endedHeard = false;
        const record = await this.deps.store.getJob(job.id) ?? job;
        if (ENDED.includes(record.status) || Date.now() >= deadline || signal?.aborted) return record;
        if (endedHeard) continue; // it ended while we read: read again
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now())));
          wake = () => { clearTimeout(timer); resolve(); };
        });
        wake = () => {};
        pause = Math.min(pause * 2, REREAD_MAX_MS);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      unfollow();
    }
  }

  /** Cancels a job that has not ended (the first writer wins: a job that just ended stays as it ended). */
  async cancel(job: JobRecord): Promise<JobRecord> {
    if (ENDED.includes(job.status)) return job;
    const at = Date.now();
    if (await this.deps.store.updateJob(job.id, { status: 'canceled', error: CANCELED, webhookNextAt: job.webhookUrl ? at : null }, at, ['queued', 'running'])) {
      // Taken out before a processor saw it: its key's lease is given back here, nothing charged.
      const unseen = await this.deps.queue.cancel(job.requestId);
      if (unseen?.admission) await this.deps.gate.settle(unseen.admission, { images: 0, pixels: 0 }).catch(() => {});
      if (job.webhookUrl) this.deps.onWebhookDue?.(job.id);
    }
    return (await this.deps.store.getJob(job.id)) ?? job;
  }

  /** The job object as the API shows it, its images in the format the client asked for. */
  async view(job: JobRecord) {
    const [data, attempts] = await Promise.all([
      job.status === 'succeeded' ? jobData(job, this.deps.blobs) : undefined,
      job.webhookUrl ? this.deps.store.webhookAttempts(job.id) : [],
    ]);
    return jobObject(job, data, attempts, this.deps.redactor);
  }
}
