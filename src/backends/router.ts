import type { EditRequest } from '../edits/request.ts';
import { errors, RetouchError } from '../errors.ts';
import type { BackendResult, RouteEntry } from './index.ts';

export interface RoutedResult extends BackendResult {
  backend: string;
  attempts: Array<{ backend: string; model: string; error?: string }>;
}

export interface ModelInfo {
  id: string;
  ownedBy: string;
}

/**
 * Maps public model names to routes. A route is tried in order; an entry that fails with a retryable
 * error hands the request to the next one. Errors about the request itself (400s) end the route.
 */
export class ModelRouter {
  constructor(private readonly routes: ReadonlyMap<string, RouteEntry[]>, private readonly created = Math.floor(Date.now() / 1000)) {}

  /** The route for a model, or 404 model_not_found. */
  resolve(model: string): RouteEntry[] {
    const route = this.routes.get(model);
    if (!route || route.length === 0) throw errors.modelNotFound(model);
    return route;
  }

  models(): Array<ModelInfo & { created: number }> {
    return [...this.routes.entries()].map(([id, route]) => ({ id, ownedBy: route[0]?.backend.name === 'local' ? 'retouch' : route[0]!.backend.name, created: this.created }));
  }

  async edit(request: EditRequest, route: RouteEntry[], signal: AbortSignal): Promise<RoutedResult> {
    const attempts: RoutedResult['attempts'] = [];
    let lastError: unknown;
    for (const entry of route) {
      try {
        const result = await entry.backend.edit(request, { model: entry.model, signal });
        attempts.push({ backend: entry.backend.name, model: entry.model });
        return { ...result, backend: entry.backend.name, attempts };
      } catch (err) {
        attempts.push({ backend: entry.backend.name, model: entry.model, error: err instanceof RetouchError ? err.code ?? err.type : 'error' });
        lastError = err;
        const retryable = err instanceof RetouchError && err.retryable;
        if (!retryable || signal.aborted) break;
      }
    }
    if (lastError instanceof RetouchError) Object.assign(lastError, { attempts });
    throw lastError;
  }
}
