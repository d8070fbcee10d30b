import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { EditJob } from '../../edits/job.ts';
import type { ScalarFields } from '../../edits/request.ts';
import { errors, RetouchError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { JobRecord } from '../../store/index.ts';
import { ENDED } from '../../store/jobs.ts';
import type { RawForm } from '../uploads.ts';
import { endedAnswer } from './edit-async.ts';

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
  const record = await services.store.putIdempotency({ keyId: keyId ?? '', key, fingerprint, jobId, createdAt: Date.now() });
  if (record.fingerprint !== fingerprint) {
    throw new RetouchError('This Idempotency-Key was already used with a different request. Use a new key for a new request.', {
      status: 409, type: 'invalid_request_error', code: 'idempotency_key_reused', param: null,
    });
  }
  if (record.jobId === jobId) return { first: true, jobId };
  const job = await services.store.getJob(record.jobId);
  if (!job) throw errors.internal(new Error(`idempotency record without its job ${record.jobId}`));
  return { first: false, job };
}

/**
 * The synchronous door with an Idempotency-Key: the first request runs its edit as a recorded job
 * (which goes on if the client leaves); a retry waits for that job (joins it in flight) and answers
 * what it answered, without running or charging again.
 */
export async function idempotentSync(
  services: Services, request: FastifyRequest, reply: FastifyReply, job: EditJob, claim: Awaited<ReturnType<typeof claimIdempotency>>,
  run: (job: EditJob) => Promise<unknown>,
) {
  let record: JobRecord;
  if (claim.first) {
    record = await services.jobs.create({ ...job, jobId: claim.jobId }, { webhookUrl: null, responseFormat: job.fields.responseFormat });
    request.usage = null; // the processor records it
    // Hosted, so that a retry asking for b64_json can be answered from the stored images.
    await run({ ...job, jobId: record.id, fields: { ...job.fields, responseFormat: 'url' } }).catch(() => {});
  } else {
    void services.inputs.delete(job.mask ? [...job.images, job.mask] : job.images);
    record = claim.job;
  }
  if (!ENDED.includes(record.status)) {
    const abort = new AbortController();
    reply.raw.once('close', () => abort.abort());
    record = await services.jobs.wait(record, JOIN_MS, abort.signal);
  }
  if (!ENDED.includes(record.status)) throw errors.cancelled();
  reply.header('x-retouch-job', record.id);
  if (!claim.first) reply.header('idempotent-replayed', 'true');
  return reply.send(await endedAnswer(services, reply, record));
}
