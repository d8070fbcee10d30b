import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { EditJob } from '../../edits/job.ts';
import { type EditFields, oneOf } from '../../edits/request.ts';
import { errors, RetouchError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { envelopeError, jobData, parsePrefer } from '../../jobs/view.ts';
import { checkedTarget, SafeFetchError } from '../../net/safe-fetch.ts';
import type { JobRecord } from '../../store/index.ts';

/**
 * What makes a request an async job: `Prefer: respond-async` or `wait=N`, `async=true`, or a
 * webhook. `async` is a boolean as `stream` is: a value that is neither (`yes`, an object) is a 400,
 * not a synchronous answer the client did not ask for.
 */
export function asyncRequest(request: FastifyRequest, fields: EditFields) {
  const prefer = parsePrefer(request.headers.prefer);
  const header = request.headers['webhook-url'];
  const webhookUrl = (typeof header === 'string' ? utf8Header(header) : undefined) || fields.webhook_url?.trim() || undefined;
  const asked = oneOf(fields, 'async', ['true', 'false', '1', '0'], 'false');
  const async = prefer.respondAsync || prefer.waitSeconds !== undefined || asked === 'true' || asked === '1' || !!webhookUrl;
  return async ? { waitSeconds: prefer.waitSeconds, respondAsync: prefer.respondAsync, webhookUrl: webhookUrl ? checkWebhookUrl(webhookUrl) : null } : undefined;
}

/**
 * A header value as the client wrote it. Node hands header bytes over as latin1, one character a
 * byte, so a URL sent in UTF-8 (`/ü`, as curl sends it) would be read as `/Ã¼`; bytes that are not
 * valid UTF-8 are left as Node read them.
 */
function utf8Header(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

/**
 * Longest webhook URL taken, in characters once normalised: it is stored with the job and shown in
 * every view of it. 2048 is what browsers and most servers take; a real receiver's URL is far shorter.
 */
const MAX_WEBHOOK_URL_CHARS = 2048;

/** A webhook URL must be absolute http(s); where it points is checked at submit and at each delivery. */
function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.invalidValue('webhook_url', "Invalid value for 'webhook_url': not an absolute URL.");
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw errors.invalidValue('webhook_url', "Invalid value for 'webhook_url': only http and https URLs are called.");
  const href = url.toString();
  if (href.length > MAX_WEBHOOK_URL_CHARS) {
    throw errors.invalidValue('webhook_url', `Invalid value for 'webhook_url': ${href.length} characters; the limit is ${MAX_WEBHOOK_URL_CHARS}.`);
  }
  return href;
}

/**
 * What an async request must pass before its images are stashed: a webhook needs a receiver at a
 * public address and a key with a secret to sign with.
 */
export async function checkAsync(services: Services, keyId: string | null, o: { webhookUrl: string | null }): Promise<void> {
  if (!o.webhookUrl) return;
  await checkWebhookTarget(o.webhookUrl, services.config.jobs.webhookAllowPrivate);
  if (!(keyId && (await services.keys.webhookSecret(keyId)))) {
    throw errors.invalidValue('webhook_url', 'Webhooks are signed with the API key\'s webhook secret; keys from RETOUCH_API_KEYS have one only when the server sets RETOUCH_WEBHOOK_SECRET. Use a key made with `retouch keys create`, or ask the operator to set it.');
  }
}

/**
 * Where a webhook URL points, checked once at submit under the rules every delivery follows
 * (safe-post.ts): a receiver on a private address is refused now, with its reason, rather than
 * accepted and refused at each attempt. A host that does not resolve now is let through: DNS may
 * be down for a moment, and the deliveries check again.
 */
async function checkWebhookTarget(url: string, allowPrivate: boolean): Promise<void> {
  try {
    await checkedTarget(url, { protocols: ['http:', 'https:'], allowPrivateAddresses: allowPrivate });
  } catch (err) {
    if (err instanceof SafeFetchError && err.kind === 'refused') {
      throw errors.invalidValue('webhook_url', `Invalid value for 'webhook_url': ${err.reason}; webhooks go to public addresses only (RETOUCH_WEBHOOK_ALLOW_PRIVATE lets a development server reach private ones).`);
    }
  }
}

/** A job that ended, answered as the synchronous door would have answered it (for `Prefer: wait`). */
export async function endedAnswer(services: Services, reply: FastifyReply, job: JobRecord) {
  if (job.status === 'succeeded' && job.result) {
    if (typeof job.result.backend === 'string') reply.header('x-retouch-backend', job.result.backend);
    return { created: job.result.created, data: await jobData(job, services.blobs), ...(job.result.usage ? { usage: job.result.usage } : {}) };
  }
  const e = job.error ? envelopeError(job.error) : { message: 'The job failed.', type: 'server_error', param: null, code: null };
  throw new RetouchError(e.message, { status: job.error?.status ?? 500, type: e.type as RetouchError['type'], code: e.code, param: e.param });
}

/**
 * The async door: the job is recorded `queued` and handed to the queue, and the answer is 202 with
 * the job object and its Location, or, with `Prefer: wait=N`, the finished answer if it ends within
 * N seconds. The processor writes the usage record and settles the key's lease and quotas.
 */
export async function submitAsync(
  services: Services, request: FastifyRequest, reply: FastifyReply, job: EditJob,
  o: { waitSeconds: number | undefined; respondAsync?: boolean; webhookUrl: string | null },
  claim?: { first: true; jobId: string } | { first: false; job: JobRecord },
) {
  const { jobs } = services;
  if (claim && !claim.first) {
    // A retry under the same Idempotency-Key: the first request's job, not a second one.
    void services.inputs.delete(job.mask ? [...job.images, job.mask] : job.images);
    reply.header('idempotent-replayed', 'true');
    return answerJob(services, reply, claim.job, o);
  }
  const responseFormat = job.fields.responseFormat;
  // A job's images are always hosted (they outlive the request); b64_json is read back from them.
  // Partial images asked for go to whoever follows the job (GET …/events), as a stream's would.
  const fields = { ...job.fields, responseFormat: 'url' as const, stream: job.fields.partialImages > 0 };
  // The key's lease and quotas travel with the job: its processor settles them when it ends,
  // wherever it runs (a worker on the shared limiter, or this process).
  const admission = request.admission;
  const hosted: EditJob = { ...job, jobId: claim?.jobId ?? newId('job'), fields, detached: true, ...(admission ? { admission: admission.ticket } : {}) };
  request.usage = null; // the processor records it, with what the edit did
  request.editRunning = true; // the key-limit close hook must not settle it with nothing
  let record: JobRecord;
  try {
    record = await jobs.submit(hosted, { webhookUrl: o.webhookUrl, responseFormat });
  } catch (err) {
    void admission?.finish({ images: 0, pixels: 0 });
    throw err;
  }
  return answerJob(services, reply, record, o);
}

/**
 * The 202 with the job, or with `Prefer: wait=N` the finished answer if it ends in time.
 * Preference-Applied names the Prefer tokens the answer honoured, of those the client sent (RFC
 * 7240): `wait=N` when it waited, and `respond-async` with it on a 202. A job asked for another way
 * (`async=true`, a webhook) applied no preference, and says none.
 */
async function answerJob(services: Services, reply: FastifyReply, job: JobRecord, prefer: { waitSeconds: number | undefined; respondAsync?: boolean }) {
  const { jobs } = services;
  const { waitSeconds } = prefer;
  let record = job;
  if (waitSeconds) {
    const abort = new AbortController();
    reply.raw.once('close', () => abort.abort());
    record = await jobs.wait(record, waitSeconds * 1000, abort.signal);
    if (record.status === 'succeeded' || record.status === 'failed' || record.status === 'canceled') {
      reply.header('preference-applied', `wait=${waitSeconds}`).header('x-retouch-job', record.id);
      return reply.send(await endedAnswer(services, reply, record));
    }
  }
  const applied = [prefer.respondAsync ? 'respond-async' : '', waitSeconds !== undefined ? `wait=${waitSeconds}` : ''].filter(Boolean);
  if (applied.length > 0) reply.header('preference-applied', applied.join(', '));
  return reply.code(202).header('location', `/v1/images/edits/${record.id}`).send(await jobs.view(record));
}
