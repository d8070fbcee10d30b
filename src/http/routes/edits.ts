import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Services } from '../../app.ts';
import type { RoutedError, RoutedResult } from '../../backends/router.ts';
import { buildEditRequest } from '../../edits/build.ts';
import { parseScalarFields } from '../../edits/request.ts';
import { errors } from '../../errors.ts';
import { BodyMemory } from '../body-memory.ts';
import { readJsonForm } from '../json-form.ts';
import { answerBody, deliverImages } from '../deliver.ts';
import { readMultipartForm } from '../multipart-form.ts';
import { createRemoteFetcher } from '../remote-image.ts';
import type { UsageDraft } from '../types.ts';
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

/** What the usage record keeps of how a request was routed and what the upstream reported. */
function recordRouting(usage: UsageDraft, result: RoutedResult) {
  const tokens = result.usage as { input_tokens?: unknown; output_tokens?: unknown } | undefined;
  Object.assign(usage, {
    backend: result.backend,
    attempts: result.attempts,
    ...(result.upstream ? { upstreamModel: result.model, upstreamLatencyMs: result.upstream.latencyMs } : {}),
    ...(typeof tokens?.input_tokens === 'number' ? { inputTokens: tokens.input_tokens } : {}),
    ...(typeof tokens?.output_tokens === 'number' ? { outputTokens: tokens.output_tokens } : {}),
  });
}

/** POST /v1/images/edits: parse the whole form, validate, route to a backend, deliver. */
export function editRoutes(app: FastifyInstance, services: Services, auth: onRequestHookHandler) {
  const { config, router, blobs } = services;
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

  // Every authenticated request gets a usage record, even one refused before its body is read.
  const startUsage: onRequestHookHandler = async (request) => {
    request.usage = {};
  };

  app.post('/v1/images/edits', {
    onRequest: [auth, startUsage, contentLength],
    bodyLimit: limits.json,
  }, async (request, reply) => {
    const usage: UsageDraft = request.usage!;
    const form = await readForm(request);
    const scalars = parseScalarFields(form.fields, config.limits.maxPromptChars);
    Object.assign(usage, { model: scalars.model, inputBytes: form.images.reduce((n, b) => n + b.length, 0) + (form.mask?.length ?? 0) });
    if (form.images.length === 0) throw errors.missingParameter('image');
    const route = router.resolve(scalars.model);
    const edit = await buildEditRequest(form, scalars, config.limits);
    usage.inputPixels = edit.images.reduce((n, i) => n + i.width * i.height, 0);

    // Abort the backend's work when the client goes away before the answer is sent.
    const abort = new AbortController();
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const result = await router.edit(edit, route, abort.signal).catch((err: RoutedError) => {
      if (err?.attempts) Object.assign(usage, { attempts: err.attempts, backend: err.attempts.at(-1)?.backend ?? null });
      throw err;
    });
    recordRouting(usage, result);

    const publicBase = config.publicUrl ?? `${request.protocol}://${request.host}`;
    const data = await deliverImages(result.images, edit.responseFormat, blobs, publicBase, result.revisedPrompt);
    usage.outputBytes = result.images.reduce((n, i) => n + i.bytes.length, 0);
    usage.outputPixels = result.images.reduce((n, i) => n + i.width * i.height, 0);
    reply.header('x-retouch-backend', result.backend);
    for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
    const answer = { created: Math.floor(Date.now() / 1000), data, ...(result.usage ? { usage: result.usage } : {}) };
    const body = answerBody(answer);
    reply.type('application/json; charset=utf-8').header('content-length', body.length);
    return reply.send(body.chunks.length === 1 ? body.chunks[0] : Readable.from(body.chunks));
  });
}
