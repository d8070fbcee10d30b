import { z } from 'zod';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import { defineProvider, maskSecret } from '../provider.ts';
import { BflBackend } from './index.ts';

export interface BflConfig extends KeyedProviderConfig {
  /** BFL's moderation level, 0 (strictest) to 6; BFL allows at most 2 with an input image. */
  safetyTolerance: number;
}

/** `bfl`: Black Forest Labs' API, `POST {baseUrl}/v1/{model}` with `x-key`, then polling_url. */
export const bfl = defineProvider<BflConfig>({
  type: 'bfl',
  fields: z.object({
    apiKey: z.string().min(1, 'apiKey is empty'),
    safetyTolerance: z.number().int().min(0).max(6).default(2),
  }),
  defaultBaseUrl: () => 'https://api.bfl.ai',
  models: ['flux-kontext-pro', 'flux-kontext-max'].map((m) => ({ id: m, upstream: m })),
  capabilities: { mask: false, imagesPerCall: 1, formats: ['png', 'jpeg'], sizes: 'aspect_ratio from WxH or W:H (21:9 to 9:21); otherwise the input\'s' },
  describe: (p) => `key ${maskSecret(p.apiKey)}`,
  create: (p, deps) => new BflBackend(p, deps.maxPixels, deps.backoffMs),
});
