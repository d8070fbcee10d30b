import type { BlobStore } from '../blob/index.ts';
import type { EditJob } from '../edits/job.ts';
import type { ResponseFormat } from '../edits/request.ts';
import { errors } from '../errors.ts';
import { newId } from '../ids.ts';
import type { EditQueue } from '../queue/index.ts';
import type { Redactor } from '../redact.ts';
import type { JobRecord, Store } from '../store/index.ts';
import { ENDED } from '../store/jobs.ts';
import { jobData, jobObject, waitForJob } from './view.ts';

import type { Settlements } from './processor.ts';

type Settle = Settlements extends Map<string, infer S> ? S : never;

export interface JobsDeps {
  store: Store;
  blobs: BlobStore;
  queue: EditQueue;
  redactor: Redactor;
  settlements: Settlements;
  /** A job that ended without running its processor (canceled): its webhook is due now. */
  onWebhookDue?: (jobId: string) => void;
}

const CANCELED = { message: 'The job was canceled by its client.', type: 'invalid_request_error', param: null, code: 'job_canceled' };

/**
 * Async jobs (`Prefer: respond-async`): made `queued` in the store, handed to the queue, read back
 * by their key only. The processor (processor.ts) moves them on from there, wherever it runs.
 */
export class Jobs {
  private readonly settlements: Settlements;

  constructor(private readonly deps: JobsDeps) {
    this.settlements = deps.settlements;
  }

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

  /** Records the job as queued and submits it; `settle` hears how it ended, if it ends in this process. */
  async submit(job: EditJob, o: { webhookUrl: string | null; responseFormat: ResponseFormat; settle?: Settle }): Promise<JobRecord> {
    const record = await this.create(job, o);
    if (o.settle) this.settlements.set(record.id, o.settle);
    try {
      await this.deps.queue.submit({ ...job, jobId: record.id });
    } catch (err) {
      // Refused (a full queue): the job never ran, and says so.
      this.settlements.delete(record.id);
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

  /** Waits up to `ms` for the job to end (it may run on another process). */
  async wait(job: JobRecord, ms: number, signal?: AbortSignal): Promise<JobRecord> {
    if (ENDED.includes(job.status) || ms <= 0) return job;
    return (await waitForJob(this.deps.store, job.id, ms, signal)) ?? job;
  }

  /** Cancels a job that has not ended (the first writer wins: a job that just ended stays as it ended). */
  async cancel(job: JobRecord): Promise<JobRecord> {
    if (ENDED.includes(job.status)) return job;
    const at = Date.now();
    if (await this.deps.store.updateJob(job.id, { status: 'canceled', error: CANCELED, webhookNextAt: job.webhookUrl ? at : null }, at, ['queued', 'running'])) {
      await this.deps.queue.cancel(job.requestId);
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
