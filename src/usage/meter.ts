import { newId } from '../ids.ts';
import type { Store, UsageRecord } from '../store/index.ts';

/** The part of a usage record an edit fills in as it goes; the rest is known at the end. */
export type UsageDraft = Partial<Omit<UsageRecord, 'id' | 'requestId' | 'keyId' | 'status' | 'latencyMs' | 'createdAt'>>;

/** One finished request, as whichever door served it saw it. */
export interface UsageOutcome {
  /** The request's id, the one the client saw in `x-request-id`. */
  requestId: string;
  keyId: string | null;
  status: number;
  latencyMs: number;
  usage: UsageDraft;
}

/** Status of a request whose client left before the answer: nginx's "client closed request". */
export const CANCELLED_STATUS = 499;

/** Writes one usage record per edit request, whatever its outcome. */
export class UsageMeter {
  constructor(private readonly store: Store) {}

  async record({ requestId, keyId, status, latencyMs, usage: u }: UsageOutcome): Promise<void> {
    await this.store.insertUsage({
      id: newId('usage'),
      requestId,
      keyId,
      model: u.model ?? null,
      backend: u.backend ?? null,
      status,
      errorCode: u.errorCode ?? null,
      inputBytes: u.inputBytes ?? 0,
      inputPixels: u.inputPixels ?? 0,
      outputBytes: u.outputBytes ?? 0,
      outputPixels: u.outputPixels ?? 0,
      latencyMs,
      createdAt: Date.now(),
      upstreamModel: u.upstreamModel ?? null,
      attempts: u.attempts ?? null,
      upstreamLatencyMs: u.upstreamLatencyMs ?? null,
      inputTokens: u.inputTokens ?? null,
      outputTokens: u.outputTokens ?? null,
      images: u.images ?? 0,
    });
  }
}
