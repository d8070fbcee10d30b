import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import sharp from 'sharp';
import type { EditEvent, EditJob } from '../../edits/job.ts';
import type { ScalarFields } from '../../edits/request.ts';
import { errors, RetouchError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { EditOutcome } from '../../edits/service.ts';
import type { EncodedImage } from '../../images/encode.ts';
import { jobImages } from '../../jobs/view.ts';
import { INTERRUPTED } from '../../jobs/sweeper.ts';
import type { IdempotencyRecord, JobRecord } from '../../store/index.ts';
import { Base64Image } from '../deliver.ts';
import { ENDED } from '../../store/jobs.ts';
import type { RawForm } from '../uploads.ts';
import { endedAnswer } from './edit-async.ts';
import { type StreamOptions, streamEdit } from './edit-stream.ts';

/** How long a retry may wait for the first request's edit to end, as long as any edit may take. */
const JOIN_MS = 15 * 60_000;

/** The `Idempotency-Key` header, if sent; at most 255 characters, as Stripe allows. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  const key = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!key) return undefined;
  if (key.length > 255) throw errors.invalidRequest('The Idempotency-Key header is longer than 255 characters.', 'invalid_value');
  return key;
}

/** What makes two requests "the same": every validated field and the bytes of every image and the mask. */
export function requestFingerprint(form: RawForm, fields: ScalarFields): string {
  const h = createHash('sha256').update(JSON.stringify(fields));
  for (const image of form.images) h.update(createHash('sha256').update(image).digest());
  h.update(form.mask ? createHash('sha256').update(form.mask).digest() : Buffer.alloc(0));
  return h.digest('hex');
}

/**
 * Claims an Idempotency-Key for this request, or finds who had it: `{ first: true, jobId }` when
 * this request is the first (its edit must run as that job), or the earlier job to answer from.
 * The same key with a different request is 409 `idempotency_key_reused`.
 */
export async function claimIdempotency(services: Services, keyId: string | null, key: string, fingerprint: string):
  Promise<{ first: true; jobId: string } | { first: false; job: JobRecord }> {
  const jobId = newId('job');
  // A claim another retry takes over in the meantime is read again; it then has a fresh time to
  // record its job, so this settles in a pass or two.
  for (let pass = 0; ; pass++) {
    const record = await services.store.putIdempotency({ keyId: keyId ?? '', key, fingerprint, jobId, createdAt: Date.now() });
    if (record.fingerprint !== fingerprint) {
      throw new RetouchError('This Idempotency-Key was already used with a different request. Use a new key for a new request.', {
        status: 409, type: 'invalid_request_error', code: 'idempotency_key_reused', param: null,
      });
    }
    if (record.jobId === jobId) return { first: true, jobId };
    const job = await jobOfClaim(services, record);
    if (job) return answerOrTakeOver(services, keyId, key, job, jobId);
    // The first attempt claimed the key and never recorded its job (its process died in between):
    // nothing ran, so this retry takes the key over and runs the edit.
    if (await services.store.reassignIdempotency(keyId ?? '', key, record.jobId, jobId)) return { first: true, jobId };
    if (pass >= 2) throw errors.internal(new Error(`idempotency key ${key} keeps changing hands`));
  }
}

/** The first attempt's job to answer from, unless its process died under it. */
async function answerOrTakeOver(services: Services, keyId: string | null, key: string, job: JobRecord, jobId: string):
  Promise<{ first: true; jobId: string } | { first: false; job: JobRecord }> {
  // A first attempt whose process died under it answered nothing: the retry runs the edit again
  // (as that attempt never delivered, nothing is paid twice for a result someone has).
  if (interrupted(services, job) && await services.store.reassignIdempotency(keyId ?? '', key, job.id, jobId)) {
    await services.store.updateJob(job.id, { status: 'failed', error: INTERRUPTED }, Date.now(), ['queued', 'running']);
    return { first: true, jobId };
  }
  return { first: false, job };
}

/**
 * Gives back the Idempotency-Key of a first attempt that failed before recording its job (its
 * images could not be stored, the queue refused it): nothing ran, and a retry may claim it at once.
 * A job recorded after all keeps the key: its end is the answer.
 */
export async function releaseUnrecordedClaim(services: Services, keyId: string | null, key: string, jobId: string): Promise<void> {
  try {
    if (!(await services.store.getJob(jobId))) await services.store.releaseIdempotency(keyId ?? '', key, jobId);
  } catch {
    // The store is failing too: the claim is taken over CLAIM_TO_JOB_MS after it was made.
  }
}

/**
 * How long after its claim a first attempt may take to record its job: it stores the request's
 * images in between (a large upload to S3 takes a while). A claim older than this with no job was
 * abandoned.
 */
const CLAIM_TO_JOB_MS = 15_000;

/**
 * The job of an Idempotency-Key claimed by another request. A retry can arrive between that
 * request's claim and the recording of its job; it waits for the job rather than failing, up to
 * CLAIM_TO_JOB_MS after the claim. Undefined when the job never came.
 */
async function jobOfClaim(services: Services, record: IdempotencyRecord): Promise<JobRecord | undefined> {
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const job = await services.store.getJob(record.jobId);
    if (job) return job;
    if (Date.now() - record.createdAt >= CLAIM_TO_JOB_MS) return undefined;
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** Whether the request retries an Idempotency-Key already used by its API key, whose first attempt stands. */
export async function isReplay(services: Services, request: FastifyRequest): Promise<boolean> {
  const key = idempotencyKey(request);
  if (!key || !request.apiKeyId) return false;
  const record = await services.store.getIdempotency(request.apiKeyId, key);
  const job = record ? await services.store.getJob(record.jobId) : null;
  return !!job && !interrupted(services, job);
}

/**
 * Whether a job was cut short by its process dying: recorded so (`job_interrupted`), or, with the
 * inline queue, still queued or running with its record untouched past the lease its processor
 * renews (the sweeper would fail it within the minute; a retry need not wait for that). BullMQ's
 * workers take such a job up again themselves, so there only the recorded end counts.
 */
function interrupted(services: Services, job: JobRecord): boolean {
  if (job.status === 'failed') return job.error?.code === 'job_interrupted';
  return services.queue.kind === 'inline' && !ENDED.includes(job.status) && job.updatedAt < Date.now() - services.jobLeaseMs;
}

/**
 * What an idempotent request waits on: the first request runs its edit as a recorded job (which
 * goes on if its client leaves), a retry joins that job (hearing its events from now on, for a
 * stream); both resolve with the job once it has ended, without running or charging it twice.
 */
async function joinIdempotent(
  services: Services, request: FastifyRequest, reply: FastifyReply, job: EditJob, claim: Claim,
  run: (job: EditJob, onEvent?: (e: EditEvent) => void) => Promise<unknown>, onEvent?: (e: EditEvent) => void,
): Promise<JobRecord> {
  let record: JobRecord;
  let unfollow = () => {};
  reply.header('x-retouch-job', claim.first ? claim.jobId : claim.job.id);
  if (!claim.first) reply.header('idempotent-replayed', 'true');
  if (claim.first) {
    record = await services.jobs.create({ ...job, jobId: claim.jobId }, { webhookUrl: null, responseFormat: job.fields.responseFormat });
    request.usage = null; // the processor records it
    // Hosted, so that a retry asking for b64_json can be answered from the stored images.
    await run({ ...job, jobId: record.id, fields: { ...job.fields, responseFormat: 'url' } }, onEvent).catch(() => {});
  } else {
    void services.inputs.delete(job.mask ? [...job.images, job.mask] : job.images);
    record = claim.job;
    if (onEvent && !ENDED.includes(record.status)) unfollow = await services.jobs.follow(record, onEvent).catch(() => () => {});
  }
  try {
    if (!ENDED.includes(record.status)) {
      const abort = new AbortController();
      reply.raw.once('close', () => abort.abort());
      record = await services.jobs.wait(record, JOIN_MS, abort.signal);
    }
  } finally {
    unfollow();
  }
  if (!ENDED.includes(record.status)) throw errors.cancelled();
  return record;
}

type Claim = Awaited<ReturnType<typeof claimIdempotency>>;
type RunJob = (job: EditJob, onEvent?: (e: EditEvent) => void) => Promise<unknown>;

/** The synchronous door with an Idempotency-Key: the first request's answer, given to it and to every retry. */
export async function idempotentSync(services: Services, request: FastifyRequest, reply: FastifyReply, job: EditJob, claim: Claim, run: RunJob) {
  const record = await joinIdempotent(services, request, reply, job, claim, run);
  return reply.send(await endedAnswer(services, reply, record));
}

/**
 * The streaming door with an Idempotency-Key: the first request streams its edit's partial images
 * as they come, a retry those still to come; both then get the completed images (read back from
 * the job's hosted images) or the job's error, as a stream does.
 */
export function idempotentStream(services: Services, request: FastifyRequest, reply: FastifyReply, job: EditJob, claim: Claim, run: RunJob, opts: StreamOptions) {
  return streamEdit(reply, job.fields, async (onEvent) => endedOutcome(services, await joinIdempotent(services, request, reply, job, claim, run, onEvent)), opts);
}

/** An ended job as the outcome a stream answers: its images as base64 again, or its error thrown. */
async function endedOutcome(services: Services, record: JobRecord): Promise<EditOutcome> {
  if (record.status !== 'succeeded' || !record.result) {
    const e = record.error ?? { message: 'The job failed.', type: 'server_error', param: null, code: null };
    throw new RetouchError(e.message, { status: record.error?.status ?? 500, type: e.type as RetouchError['type'], code: e.code, param: e.param });
  }
  const data = await Promise.all((await jobImages(record, services.blobs)).map(async ({ entry, bytes }) => {
    if (!bytes) throw errors.notFound('The images of this job have expired.');
    const meta = await sharp(bytes).metadata();
    const image: EncodedImage = { bytes, format: meta.format === 'jpeg' || meta.format === 'png' ? meta.format : 'webp', width: meta.width, height: meta.height };
    return { b64_json: new Base64Image(image), ...(entry.revised_prompt ? { revised_prompt: entry.revised_prompt } : {}) };
  }));
  const usage = record.result.usage as Record<string, unknown> | undefined;
  return {
    answer: { created: record.result.created as number, data, ...(usage ? { usage } : {}) },
    usage: {}, images: data.length,
    headers: typeof record.result.backend === 'string' ? { 'x-retouch-backend': record.result.backend } : {},
  };
}
