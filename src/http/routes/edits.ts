import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Services } from '../../app.ts';
import { parseScalarFields } from '../../edits/request.ts';
import { inputKey } from '../../edits/inputs.ts';
import type { EditError, EditOutcome } from '../../edits/service.ts';
import { errors, RetouchError } from '../../errors.ts';
import { CANCELLED_STATUS } from '../../usage/meter.ts';
import { BodyMemory } from '../body-memory.ts';
import { notePrompt } from '../error-edge.ts';
import { readJsonForm } from '../json-form.ts';
import { answerBody } from '../deliver.ts';
import { readMultipartForm } from '../multipart-form.ts';
import { createRemoteFetcher } from '../remote-image.ts';
import type { RawForm } from '../uploads.ts';

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
  const { config, queue, inputs, gate } = services;
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
    return readJsonForm(request.body, config.limits.maxImages, config.limits.maxUploadBytes, fetchRemote);
  }

  // Per-key rate limits, quotas and concurrency, before the body: a limited client costs nothing more.
  const keyLimits: onRequestHookHandler = async (request, reply) => {
    const limits = request.apiKeyLimits;
    if (!request.apiKeyId || !limits || Object.keys(limits).length === 0) return;
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

  /** Gives back the request's concurrency lease and charges its quotas with what it produced. */
  async function finishAdmission(request: FastifyRequest, pixels: number) {
    await request.admission?.finish({ images: request.imagesProduced, pixels })
      .catch((err) => request.log.warn({ err }, 'could not charge the quota'));
  }

  // Every authenticated request gets a usage record, even one refused before its body is read.
  const startUsage: onRequestHookHandler = async (request, reply) => {
    request.usage = {};
    // A client that leaves before its answer (mid-upload, say) is recorded here; one that leaves
    // while its edit runs is recorded by the handler once the edit stops, with the work done.
    // (writableEnded, not writableFinished: an answer already handed over is not a departure.)
    reply.raw.once('close', () => { if (!reply.raw.writableEnded && !request.editRunning) recordCancelled(request, reply); });
  };

  /** A client that left still gets its usage record, with the work done for it, recorded now. */
  function recordCancelled(request: FastifyRequest, reply: FastifyReply) {
    if (!request.usage) return; // recorded already
    const usage = { ...request.usage, errorCode: 'request_cancelled' };
    request.usage = null; // onResponse must not record it a second time
    void services.usage.record({ requestId: request.id, keyId: request.apiKeyId, status: CANCELLED_STATUS, latencyMs: reply.elapsedTime, usage })
      .catch((err) => request.log.warn({ err }, 'could not record usage'));
  }

  app.post('/v1/images/edits', {
    onRequest: [auth, startUsage, keyLimits, contentLength],
    bodyLimit: limits.json,
  }, async (request, reply) => {
    const usage = request.usage!;
    const form = await readForm(request);
    notePrompt(request, form.fields.prompt ?? '');
    const fields = parseScalarFields(form.fields, config.limits.maxPromptChars);
    const keys = form.images.map((_, i) => inputKey(request.id, i));
    const maskKey = form.mask ? inputKey(request.id, 'mask') : null;
    await Promise.all([...form.images.map((b, i) => inputs.put(keys[i]!, b)), ...(form.mask && maskKey ? [inputs.put(maskKey, form.mask)] : [])]);

    // Abort the edit when the client goes away before the answer is sent.
    const abort = new AbortController();
    const gone = () => !reply.raw.writableFinished && reply.raw.destroyed;
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    if (gone()) throw errors.cancelled(); // no work for a client that has left
    let outcome: EditOutcome;
    request.editRunning = true;
    try {
      outcome = await queue.run({
        id: request.id, keyId: request.apiKeyId, fields, images: keys, mask: maskKey,
        publicBase: config.publicUrl ?? `${request.protocol}://${request.host}`,
      }, { signal: abort.signal });
    } catch (err) {
      Object.assign(usage, (err as EditError).usage);
      await finishAdmission(request, usage.outputPixels ?? 0);
      if (abort.signal.aborted || gone()) recordCancelled(request, reply);
      throw err;
    } finally {
      request.editRunning = false;
      void inputs.delete(maskKey ? [...keys, maskKey] : keys);
    }
    Object.assign(usage, outcome.usage);
    request.imagesProduced = outcome.images;
    // Charged before the answer is sent, so the client's next request sees it on every node.
    await finishAdmission(request, usage.outputPixels ?? 0);
    if (abort.signal.aborted || gone()) {
      recordCancelled(request, reply);
      throw errors.cancelled();
    }
    for (const [k, v] of Object.entries(outcome.headers)) reply.header(k, v);
    const body = answerBody(outcome.answer);
    reply.type('application/json; charset=utf-8').header('content-length', body.length);
    return reply.send(body.chunks.length === 1 ? body.chunks[0] : Readable.from(body.chunks));
  });
}
