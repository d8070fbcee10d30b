import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Services } from '../../app.ts';
import { parseScalarFields } from '../../edits/request.ts';
import { inputKey } from '../../edits/inputs.ts';
import type { EditEvent, EditJob } from '../../edits/job.ts';
import type { EditAnswer } from '../../edits/service.ts';
import { errors, RetouchError } from '../../errors.ts';
import { Redactor } from '../../redact.ts';
import { BodyMemory } from '../body-memory.ts';
import { notePrompt } from '../error-edge.ts';
import { readJsonForm } from '../json-form.ts';
import { answerBody } from '../deliver.ts';
import { readMultipartForm } from '../multipart-form.ts';
import { createRemoteFetcher } from '../remote-image.ts';
import type { RawForm } from '../uploads.ts';
import { asyncRequest, checkAsync, submitAsync } from './edit-async.ts';
import { editCache } from './edit-cache.ts';
import { claimIdempotency, idempotencyKey, idempotentStream, idempotentSync, isReplay, releaseUnrecordedClaim, requestFingerprint } from './edit-idempotency.ts';
import { editBookkeeping } from './edit-run.ts';
import { streamEdit } from './edit-stream.ts';

/** Room for form fields and multipart framing on top of the largest file. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

export function bodyLimits(maxUploadBytes: number) {
  return {
    multipart: maxUploadBytes + FORM_OVERHEAD_BYTES,
    // base64 grows bytes by 4/3.
    json: Math.ceil((maxUploadBytes * 4) / 3) + FORM_OVERHEAD_BYTES,
  };
}

/**
 * POST /v1/images/edits, the synchronous door: parse the form, hand the edit to the queue as a job
 * (run by the EditService in this process or on a worker), deliver its answer. Limits per key run before a byte of the body is read.
 */
export function editRoutes(app: FastifyInstance, services: Services, auth: onRequestHookHandler) {
  const { config, inputs, gate } = services;
  const book = editBookkeeping(services);
  const cache = editCache(services);
  const redactor = Redactor.fromConfig(config);
  const limits = bodyLimits(config.limits.maxUploadBytes);

  // The cheapest checks of all, before a byte is read: a declared body that is too large, then
  // room in memory for it next to the other requests' bodies.
  const bodyMemory = new BodyMemory(config.limits.uploadMemoryBytes);
  const contentLength: onRequestHookHandler = async (request, reply) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const isJson = (request.headers['content-type'] ?? '').includes('json');
    const max = isJson ? limits.json : limits.multipart;
    if (declared > max) {
      throw errors.payloadTooLarge(`The request body is ${declared} bytes; this server accepts up to ${config.limits.maxUploadBytes} bytes per file.`);
    }
    const release = bodyMemory.reserve(declared || max);
    reply.raw.once('close', release);
  };

  const fetchRemote = config.remoteImages ? createRemoteFetcher({ maxBytes: config.limits.maxUploadBytes, timeoutMs: 30_000 }) : undefined;

  async function readForm(request: FastifyRequest): Promise<RawForm> {
    if (request.isMultipart()) return readMultipartForm(request, config.limits, limits.multipart);
    if (request.body === undefined || request.body === null) {
      // No body at all (a POST with no Content-Type): say what to send, not that some JSON was wrong.
      throw new RetouchError("The request has no body. Send 'image', 'model' and 'prompt' as multipart/form-data (or as a JSON object).", {
        status: 400, type: 'invalid_request_error', code: 'missing_required_parameter', param: 'image',
      });
    }
    return readJsonForm(request.body, config.limits.maxImages, config.limits.maxUploadBytes, fetchRemote);
  }

  // Per-key rate limits, quotas and concurrency, before the body: a limited client costs nothing more.
  const keyLimits: onRequestHookHandler = async (request, reply) => {
    const limits = request.apiKeyLimits;
    if (!request.apiKeyId || !limits || Object.keys(limits).length === 0) return;
    // A retry under an Idempotency-Key already used is answered from the first request, which was
    // admitted and is charged: the retry runs nothing, so the key's limits do not refuse it (a
    // first attempt that was interrupted runs again, and is admitted like any edit).
    if (await isReplay(services, request)) return;
    const admission = await gate.admit(request.apiKeyId, limits).catch((err: unknown) => {
      if (!(err instanceof RetouchError)) {
        // The shared limiter (Redis) is unreachable: refuse for now rather than run unmetered.
        request.log.error({ err }, 'rate limiter unavailable');
        throw new RetouchError('Rate limits cannot be checked right now; try again shortly.', { status: 503, type: 'server_error', code: 'service_unavailable', retryAfter: 1, cause: err });
      }
      const headers = (err as RetouchError & { headers?: Record<string, string> }).headers;
      if (headers) reply.headers(headers);
      throw err;
    });
    reply.headers(admission.headers);
    request.admission = admission;
    // A request that ends before its edit ran (a bad form, a client gone while uploading) gives its
    // lease back here; one whose edit ran is charged by the handler, with what it produced.
    reply.raw.once('close', () => { if (!request.editRunning) void admission.finish({ images: 0, pixels: 0 }); });
  };

  // Every authenticated request gets a usage record, even one refused before its body is read.
  const startUsage: onRequestHookHandler = async (request, reply) => {
    request.usage = {};
    // A client that leaves before its answer (mid-upload, say) is recorded here; one that leaves
    // while its edit runs is recorded by the handler once the edit stops, with the work done.
    // (writableEnded, not writableFinished: an answer already handed over is not a departure.)
    reply.raw.once('close', () => { if (!reply.raw.writableEnded && !request.editRunning) book.recordCancelled(request, reply); });
  };

  // The Idempotency-Key header is checked before the body is read, like every other header.
  const idempotencyHeader: onRequestHookHandler = async (request) => { idempotencyKey(request); };

  app.post('/v1/images/edits', {
    onRequest: [auth, idempotencyHeader, startUsage, keyLimits, contentLength],
    bodyLimit: limits.json,
  }, async (request, reply) => {
    const form = await readForm(request);
    notePrompt(request, form.fields.prompt ?? '');
    const fields = parseScalarFields(form.fields, config.limits.maxPromptChars);
    // An unknown model is a 404 now, before inputs are stored or a job is queued that could only fail
    // (its usage record and metrics still name the model asked for).
    if (request.usage) request.usage.model = fields.model;
    services.router.resolve(fields.model);
    // A stream carries its images as base64 in its events, as OpenAI's does: nothing to host.
    if (fields.stream) fields.responseFormat = 'b64_json';
    const idemKey = idempotencyKey(request);
    const async = asyncRequest(request, form.fields);
    if (async && fields.stream) throw errors.invalidValue('stream', 'A request is either streamed (stream=true) or an async job (Prefer: respond-async), not both.');
    if (async) await checkAsync(services, request.apiKeyId, async);
    let fingerprint: string | undefined;
    const fingerprintOf = () => (fingerprint ??= requestFingerprint(form, fields));
    const claim = idemKey ? await claimIdempotency(services, request.apiKeyId, idemKey, fingerprintOf()) : undefined;
    const cacheKey = async || claim ? undefined : cache.keyOf(request, fields, fingerprintOf);
    const hit = cacheKey ? await cache.get(cacheKey) : undefined;
    if (hit) {
      // No edit ran, but the client got its images: the key's quotas are charged as for the edit.
      Object.assign(request.usage!, hit.usage);
      request.imagesProduced = hit.images;
      await book.finishAdmission(request, hit.pixels);
      return sendAnswer(reply, hit.answer, { ...hit.headers, 'x-retouch-cache': 'hit' });
    }
    try {
      const keys = form.images.map((_, i) => inputKey(request.id, i));
      const maskKey = form.mask ? inputKey(request.id, 'mask') : null;
      await Promise.all([...form.images.map((b, i) => inputs.put(keys[i]!, b)), ...(form.mask && maskKey ? [inputs.put(maskKey, form.mask)] : [])]);
      const job: EditJob = {
        id: request.id, keyId: request.apiKeyId, fields, images: keys, mask: maskKey,
        publicBase: config.publicUrl ?? `${request.protocol}://${request.host}`,
      };

      if (async) return submitAsync(services, request, reply, job, async, claim);
      const streamOpts = { heartbeatMs: config.jobs.heartbeatMs, redactor, log: request.log };
      if (claim) {
        const runJob = (j: EditJob, onEvent?: (e: EditEvent) => void) => book.run(request, reply, j, onEvent, { finishWhenGone: true });
        return fields.stream ? idempotentStream(services, request, reply, job, claim, runJob, streamOpts) : idempotentSync(services, request, reply, job, claim, runJob);
      }
      if (fields.stream) return streamEdit(reply, fields, (onEvent) => book.run(request, reply, job, onEvent), streamOpts);
      const outcome = await book.run(request, reply, job);
      if (cacheKey) cache.keep(cacheKey, outcome);
      return sendAnswer(reply, outcome.answer, cacheKey ? { ...outcome.headers, 'x-retouch-cache': 'miss' } : outcome.headers);
    } catch (err) {
      // A first attempt that fails before its job is recorded gives its Idempotency-Key back, so
      // the client's retry runs at once instead of waiting for a job that will never come.
      if (claim?.first) await releaseUnrecordedClaim(services, request.apiKeyId, idemKey!, claim.jobId);
      throw err;
    }
  });
}

/** The JSON answer, its base64 images spliced in as they are (deliver.ts), with the edit's headers. */
function sendAnswer(reply: FastifyReply, answer: EditAnswer, headers: Record<string, string>) {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  const body = answerBody(answer);
  reply.type('application/json; charset=utf-8').header('content-length', body.length);
  return reply.send(body.chunks.length === 1 ? body.chunks[0] : Readable.from(body.chunks));
}
