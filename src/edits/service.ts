import type { RoutedError, RoutedResult, ModelRouter } from '../backends/router.ts';
import type { BlobStore } from '../blob/index.ts';
import type { Limits } from '../config/index.ts';
import { errors, RetouchError } from '../errors.ts';
import { deliverImages, type ResultEntry } from '../http/deliver.ts';
import type { UsageDraft } from '../usage/meter.ts';
import { buildEditRequest } from './build.ts';
import type { InputStash } from './inputs.ts';
import type { EditJob, RunOptions } from './job.ts';

/** The OpenAI-shaped answer of an edit. */
export interface EditAnswer {
  created: number;
  data: ResultEntry[];
  usage?: Record<string, unknown>;
}

export interface EditOutcome {
  answer: EditAnswer;
  /** What the usage record keeps of this edit; the door adds status and latency. */
  usage: UsageDraft;
  /** Headers worth showing the client: which backend served it, which segmenter ran. */
  headers: Record<string, string>;
  /** Images produced (n), for quotas. */
  images: number;
}

/** A failed edit still tells what it cost: the usage gathered up to the failure rides on the error. */
export type EditError = RetouchError & { usage: UsageDraft };

export interface EditServiceDeps {
  router: ModelRouter;
  blobs: BlobStore;
  inputs: InputStash;
  limits: Limits;
}

/**
 * The edit, whichever door it came through: resolve the route, probe the inputs, run the router,
 * store the results, and say what it cost. It knows nothing of HTTP.
 */
export class EditService {
  constructor(private readonly deps: EditServiceDeps) {}

  async run(job: EditJob, { signal, onEvent }: RunOptions): Promise<EditOutcome> {
    const usage: UsageDraft = { model: job.fields.model };
    onEvent?.({ type: 'stage', stage: 'started', at: Date.now() });
    try {
      if (job.images.length === 0) throw errors.missingParameter('image');
      const route = this.deps.router.resolve(job.fields.model);
      const images = await Promise.all(job.images.map((k) => this.deps.inputs.get(k)));
      const mask = job.mask ? await this.deps.inputs.get(job.mask) : undefined;
      usage.inputBytes = images.reduce((n, b) => n + b.length, 0) + (mask?.length ?? 0);
      const request = await buildEditRequest({ fields: {}, images, mask }, job.fields, this.deps.limits);
      usage.inputPixels = request.images.reduce((n, i) => n + i.width * i.height, 0);
      onEvent?.({ type: 'stage', stage: 'validated', at: Date.now() });

      const result = await this.deps.router.edit(request, route, signal, onEvent).catch((err: RoutedError) => {
        if (err?.attempts) Object.assign(usage, { attempts: err.attempts, backend: err.attempts.at(-1)?.backend ?? null });
        throw err;
      });
      recordRouting(usage, result);
      usage.outputBytes = result.images.reduce((n, i) => n + i.bytes.length, 0);
      usage.outputPixels = result.images.reduce((n, i) => n + i.width * i.height, 0);
      onEvent?.({ type: 'stage', stage: 'edited', at: Date.now() });

      const data = await deliverImages(result.images, request.responseFormat, this.deps.blobs, job.publicBase, result.revisedPrompt);
      onEvent?.({ type: 'stage', stage: 'stored', at: Date.now() });
      return {
        answer: { created: Math.floor(Date.now() / 1000), data, ...(result.usage ? { usage: result.usage } : {}) },
        usage,
        headers: { 'x-retouch-backend': result.backend, ...result.headers },
        images: result.images.length,
      };
    } catch (err) {
      const e = err instanceof RetouchError ? err : errors.internal(err);
      usage.errorCode = e.code ?? e.type;
      throw Object.assign(e, { usage }) as EditError;
    }
  }
}

/** What the usage record keeps of how a request was routed and what the upstream reported. */
function recordRouting(usage: UsageDraft, result: RoutedResult) {
  const tokens = result.usage as { input_tokens?: unknown; output_tokens?: unknown } | undefined;
  Object.assign(usage, {
    backend: result.backend,
    attempts: result.attempts,
    images: result.images.length,
    ...(result.upstream ? { upstreamModel: result.model, upstreamLatencyMs: result.upstream.latencyMs } : {}),
    ...(typeof tokens?.input_tokens === 'number' ? { inputTokens: tokens.input_tokens } : {}),
    ...(typeof tokens?.output_tokens === 'number' ? { outputTokens: tokens.output_tokens } : {}),
  });
}
