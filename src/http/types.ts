import type { UsageRecord } from '../store/index.ts';

/** The part of a usage record a request fills in as it goes; the rest is known at the end. */
export type UsageDraft = Partial<Omit<UsageRecord, 'id' | 'requestId' | 'keyId' | 'status' | 'latencyMs' | 'createdAt'>>;

declare module 'fastify' {
  interface FastifyRequest {
    apiKeyId: string | null;
    usage: UsageDraft | null;
  }
}
