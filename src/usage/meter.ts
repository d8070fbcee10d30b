import type { FastifyRequest } from 'fastify';
import { newId } from '../ids.ts';
import type { Store } from '../store/index.ts';

/** Writes one usage record per edit request, whatever its outcome. */
export class UsageMeter {
  constructor(private readonly store: Store) {}

  async record(request: FastifyRequest, status: number, latencyMs: number): Promise<void> {
    const u = request.usage ?? {};
    await this.store.insertUsage({
      id: newId('usage'),
      requestId: request.id,
      keyId: request.apiKeyId,
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
    });
  }
}
