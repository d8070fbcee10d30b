import type { ProviderConfig } from '../../config/routing.ts';
import type { EditRequest } from '../../edits/request.ts';
import type { Backend, BackendCall, BackendResult } from '../index.ts';
import { type CallOptions } from './http.ts';
import { ConcurrencyLimiter } from '../limiter.ts';

/** What every upstream adapter shares: its provider config, its concurrency limit, its call options. */
export abstract class UpstreamBackend<C extends ProviderConfig = ProviderConfig> implements Backend {
  readonly name: string;
  protected readonly limiter: ConcurrencyLimiter;

  constructor(protected readonly provider: C, protected readonly maxPixels: number, protected readonly backoffMs?: number) {
    this.name = provider.name;
    this.limiter = new ConcurrencyLimiter(provider.name, provider.maxConcurrent, provider.maxQueue);
  }

  abstract edit(request: EditRequest, call: BackendCall): Promise<BackendResult>;

  protected callOptions(signal: AbortSignal): CallOptions {
    return {
      provider: this.provider.name,
      timeoutMs: this.provider.timeoutMs,
      retries: this.provider.retries,
      maxResponseBytes: this.provider.maxResponseBytes,
      signal,
      ...(this.backoffMs !== undefined ? { backoffMs: this.backoffMs } : {}),
    };
  }
}
