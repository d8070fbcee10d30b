import type { Backend, BackendCall, BackendResult, RouteEntry } from '../backends/index.ts';
import type { EditRequest } from '../edits/request.ts';
import type { RateLimiter } from './index.ts';
import { DistributedSemaphore, type SemaphoreOptions } from './semaphore.ts';

/** An upstream backend whose calls also take a lease of the provider's cluster-wide semaphore. */
class SharedConcurrencyBackend implements Backend {
  constructor(private readonly inner: Backend, private readonly semaphore: DistributedSemaphore) {}

  get name() { return this.inner.name; }

  edit(request: EditRequest, call: BackendCall): Promise<BackendResult> {
    return this.semaphore.run(() => this.inner.edit(request, call), call.signal);
  }
}

/**
 * With a shared limiter (Redis), each upstream provider's `maxConcurrent` holds across every node,
 * so N replicas do not multiply it by N. Each node's own limit and queue stay in front of it. One
 * lease per edit: a Gemini edit with n > 1 fans out on one lease.
 */
export function shareProviderConcurrency(
  routes: Map<string, RouteEntry[]>, limiter: RateLimiter,
  providers: ReadonlyMap<string, { maxConcurrent: number; maxQueue: number }>, opts: SemaphoreOptions = {},
): Map<string, RouteEntry[]> {
  const wrapped = new Map<Backend, Backend>();
  const wrap = (backend: Backend) => {
    const provider = providers.get(backend.name);
    if (!provider) return backend; // the local engine: its limit is this machine's CPU
    let shared = wrapped.get(backend);
    if (!shared) {
      shared = new SharedConcurrencyBackend(backend, new DistributedSemaphore(limiter, `provider:${backend.name}`, provider.maxConcurrent, { maxWaiting: provider.maxQueue, ...opts }));
      wrapped.set(backend, shared);
    }
    return shared;
  };
  return new Map([...routes].map(([model, entries]) => [model, entries.map((e) => ({ ...e, backend: wrap(e.backend) }))]));
}
