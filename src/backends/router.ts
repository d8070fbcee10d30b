import type { EditEvent } from '../edits/job.ts';
import { encodeOptionsOf, type EditRequest } from '../edits/request.ts';
import { errors, RetouchError } from '../errors.ts';
import type { EncodedImage } from '../images/encode.ts';
import { previewOf } from '../images/preview.ts';
import type { BackendResult, RouteEntry } from './index.ts';

export interface Attempt {
  backend: string;
  model: string;
  /** HTTP attempts made at an upstream (retries included). */
  calls?: number;
  latencyMs: number;
  error?: string;
}

export interface RoutedResult extends BackendResult {
  backend: string;
  model: string;
  attempts: Attempt[];
}

export interface ModelInfo {
  id: string;
  ownedBy: string;
  created: number;
}

/** Failures of the backend (5xx, timeouts, a full queue) let the route fall back; request errors do not. */
const fallsThrough = (err: unknown) => err instanceof RetouchError && (err.status >= 500 || err.status === 429 || err.status === 408);

/** An error that carries the attempts made, so the usage record can show them. */
export type RoutedError = RetouchError & { attempts?: Attempt[] };

/**
 * Maps public model names to routes. A route is tried in order: an entry whose backend fails hands
 * the request to the next; an error about the request itself (a 400, a moderation block) ends it.
 */
export class ModelRouter {
  constructor(private readonly routes: ReadonlyMap<string, RouteEntry[]>, private readonly created = Math.floor(Date.now() / 1000)) {}

  /** The route for a model, or 404 model_not_found. */
  resolve(model: string): RouteEntry[] {
    const route = this.routes.get(model);
    if (!route || route.length === 0) throw errors.modelNotFound(model);
    return route;
  }

  models(): ModelInfo[] {
    return [...this.routes.entries()].map(([id, route]) => ({
      id, ownedBy: route[0]!.backend.name === 'local' ? 'retouch' : route[0]!.backend.name, created: this.created,
    }));
  }

  /**
   * Runs the route. With `onEvent` and `partial_images` > 0, partial images reach it as
   * `partial_image` events numbered from 0, at most as many as asked for; a backend that sent none
   * (it cannot stream: Gemini, the task APIs) is previewed from its result, at low resolution.
   */
  async edit(request: EditRequest, route: RouteEntry[], signal: AbortSignal, onEvent?: (event: EditEvent) => void): Promise<RoutedResult> {
    const attempts: Attempt[] = [];
    let firstFailure: RetouchError | undefined;
    const wanted = onEvent && request.stream ? request.partialImages : 0;
    let sent = 0;
    const onPartial = wanted > 0 ? (image: EncodedImage) => {
      if (sent < wanted && !signal.aborted) {
        onEvent!({ type: 'partial_image', index: sent++, image, background: request.background, quality: request.extra.quality ?? 'auto' });
      }
    } : undefined;
    for (const entry of route) {
      const started = performance.now();
      try {
        const result = await entry.backend.edit(request, { model: entry.model, signal, ...(onPartial ? { onPartial } : {}) });
        if (onPartial && sent === 0 && result.images[0]) onPartial(await previewOf(result.images[0], encodeOptionsOf(request)));
        attempts.push({ backend: entry.backend.name, model: entry.model, latencyMs: performance.now() - started, ...(result.upstream ? { calls: result.upstream.attempts } : {}) });
        return { ...result, backend: entry.backend.name, model: entry.model, attempts };
      } catch (err) {
        const e = err instanceof RetouchError ? err : errors.internal(err);
        attempts.push({ backend: entry.backend.name, model: entry.model, latencyMs: performance.now() - started, error: e.code ?? e.type, ...('calls' in e ? { calls: Number(e.calls) } : {}) });
        if (!fallsThrough(e) || signal.aborted) throw withAttempts(firstFailure && !fallsThrough(e) ? explainFallback(firstFailure, entry.backend.name, e) : e, attempts);
        firstFailure ??= e;
      }
    }
    throw withAttempts(firstFailure!, attempts);
  }
}

function withAttempts(err: RetouchError, attempts: Attempt[]): RoutedError {
  return Object.assign(err, { attempts });
}

/** The first backend failed and the fallback refused the request: report the failure, and why the fallback could not help. */
function explainFallback(first: RetouchError, fallback: string, refusal: RetouchError): RetouchError {
  return new RetouchError(`${first.message} The fallback (${fallback}) could not serve it either: ${refusal.message}`, {
    status: first.status, type: first.type, code: first.code, param: first.param,
  });
}
