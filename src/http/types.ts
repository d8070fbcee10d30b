import type { UsageRecord } from '../store/index.ts';

/** The part of a usage record a request fills in as it goes; the rest is known at the end. */
export type UsageDraft = Partial<Pick<UsageRecord, 'model' | 'backend' | 'errorCode' | 'inputBytes' | 'inputPixels' | 'outputBytes' | 'outputPixels'>>;

declare module 'fastify' {
  interface FastifyRequest {
    apiKeyId: string | null;
    usage: UsageDraft | null;
  }
}
