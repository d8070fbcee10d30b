import { z } from 'zod';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import { defineProvider, maskSecret } from '../provider.ts';
import { FAL_RATIOS, FalBackend } from './index.ts';

export interface FalConfig extends KeyedProviderConfig {
  /** fal's safety_tolerance for FLUX models, 1 (strictest) to 6; unset: fal's default. */
  safetyTolerance?: number;
}

const KONTEXT = 'fal-ai/flux-pro/kontext';
const KONTEXT_MAX = 'fal-ai/flux-pro/kontext/max';

/** `fal`: fal's queue API, `POST {baseUrl}/{model}` with `Authorization: Key …`. */
export const fal = defineProvider<FalConfig>({
  type: 'fal',
  fields: z.object({
    apiKey: z.string().min(1, 'apiKey is empty'),
    safetyTolerance: z.number().int().min(1).max(6).optional(),
  }),
  defaultBaseUrl: () => 'https://queue.fal.run',
  models: [
    { id: KONTEXT, upstream: KONTEXT },
    { id: KONTEXT_MAX, upstream: KONTEXT_MAX },
    // The short names, when no bfl provider has them.
    { id: 'flux-kontext-pro', upstream: KONTEXT },
    { id: 'flux-kontext-max', upstream: KONTEXT_MAX },
  ],
  capabilities: { mask: false, imagesPerCall: 4, formats: ['png', 'jpeg'], sizes: `aspect_ratio, nearest of ${FAL_RATIOS.join(', ')}; otherwise the input's` },
  describe: (p) => `key ${maskSecret(p.apiKey)}`,
  create: (p, deps) => new FalBackend(p, deps.maxPixels, deps.backoffMs),
});
