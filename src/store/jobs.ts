/** What the store keeps of async jobs, idempotent requests and webhook deliveries (see src/jobs/). */

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export const ENDED: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];

export interface JobRecord {
  id: string;
  /** The request that made it (`req_…`): the queue knows the job by it, the usage record carries it. */
  requestId: string;
  keyId: string | null;
  status: JobStatus;
  model: string;
  createdAt: number;
  updatedAt: number;
  /**
   * The OpenAI-shaped answer once succeeded (`created`, `data` with hosted URLs, `usage`), and
   * `backend`: which backend served it (what a synchronous answer says in `x-retouch-backend`).
   */
  result: Record<string, unknown> | null;
  /** The error envelope's `error` once failed or canceled, and the HTTP status it would have had. */
  error: { message: string; type: string; param: string | null; code: string | null; status?: number } | null;
  /** How the client asked for images: the job keeps hosted images and answers in this format. */
  responseFormat: 'url' | 'b64_json';
  webhookUrl: string | null;
  /** When the next webhook attempt is due; null when none is (not yet ended, delivered, or given up). */
  webhookNextAt: number | null;
  /** When the webhook was delivered (a 2xx); null until then. */
  webhookDeliveredAt: number | null;
}

/** One webhook attempt, as the job shows it. */
export interface WebhookAttempt {
  jobId: string;
  at: number;
  /** The receiver's HTTP status; null when it could not be reached. */
  status: number | null;
  /** Why it failed, in public words (no address); null on success. */
  error: string | null;
  durationMs: number;
}

/** One `Idempotency-Key` as first used by a key: the request it was used for and the job that answers it. */
export interface IdempotencyRecord {
  keyId: string;
  key: string;
  /** Hash of the request (fields and image bytes): the same key with another request is a 409. */
  fingerprint: string;
  jobId: string;
  createdAt: number;
}

export type JobUpdate = Partial<Pick<JobRecord, 'status' | 'result' | 'error' | 'webhookNextAt' | 'webhookDeliveredAt'>>;

export interface JobStore {
  insertJob(job: JobRecord): Promise<void>;
  getJob(id: string): Promise<JobRecord | null>;
  /**
   * Updates a job only while its status is one of `from` (all when absent); false when it was not
   * (a cancel that lost to completion, a second worker): the first writer wins, on every node.
   */
  updateJob(id: string, update: JobUpdate, at: number, from?: readonly JobStatus[]): Promise<boolean>;
  /**
   * Marks every job still queued or running whose record was last touched before `touchedBefore`
   * as failed with `error` (its process died: see jobs/sweeper.ts); returns their ids.
   */
  failUnfinishedJobs(error: NonNullable<JobRecord['error']>, at: number, touchedBefore: number): Promise<string[]>;
  /** Deletes jobs (their attempts and idempotency records too) created before `before`; returns how many. */
  deleteJobsBefore(before: number): Promise<number>;
  /** Jobs whose webhook attempt is due at `now`, oldest first. */
  dueWebhooks(now: number, limit: number): Promise<JobRecord[]>;
  /**
   * Moves a due webhook's next attempt from `dueAt` to `nextAt` if no one else did: the node that
   * wins sends it, so two sweepers never deliver the same attempt.
   */
  claimWebhook(jobId: string, dueAt: number, nextAt: number): Promise<boolean>;
  insertWebhookAttempt(attempt: WebhookAttempt): Promise<void>;
  webhookAttempts(jobId: string): Promise<WebhookAttempt[]>;
  /** Records the key's first use, or returns the record already there (the first use wins). */
  putIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord>;
  getIdempotency(keyId: string, key: string): Promise<IdempotencyRecord | null>;
  /**
   * Points a key's record at another job if it still points at `fromJobId` (a first attempt that was
   * interrupted, taken over by a retry); false when another retry moved it first.
   */
  reassignIdempotency(keyId: string, key: string, fromJobId: string, toJobId: string): Promise<boolean>;
  /** Gives up a claim that never got its job (the request failed before recording it); only while it is still `jobId`'s. */
  releaseIdempotency(keyId: string, key: string, jobId: string): Promise<void>;
  deleteIdempotencyBefore(before: number): Promise<number>;
}
