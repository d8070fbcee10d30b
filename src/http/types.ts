import type { KeyLimits } from '../keys/limits.ts';
import type { KeyScope } from '../store/index.ts';
import type { Admission } from '../ratelimit/key-limits.ts';
import type { UsageDraft } from '../usage/meter.ts';

export type { UsageDraft };

declare module 'fastify' {
  interface FastifyRequest {
    apiKeyId: string | null;
    usage: UsageDraft | null;
    apiKeyLimits: KeyLimits | null;
    /** The key's scopes beyond editing (`admin`). */
    apiKeyScopes: KeyScope[] | null;
    /** The request's place under its key's limits, while it has one. */
    admission: Admission | null;
    editRunning: boolean;
    /** Images the edit produced, charged to the key's quotas. */
    imagesProduced: number;
  }
}
