import { z } from 'zod';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import { defineProvider, maskSecret } from '../provider.ts';
import { REPLICATE_RATIOS, ReplicateBackend } from './index.ts';

export interface ReplicateConfig extends KeyedProviderConfig {
  /** safety_tolerance passed to the model, 0 (strictest) to 6; unset: the model's default. */
  safetyTolerance?: number;
}

const PRO = 'black-forest-labs/flux-kontext-pro';
const MAX = 'black-forest-labs/flux-kontext-max';

/** `replicate`: Replicate's predictions API, `POST {baseUrl}/models/{owner}/{name}/predictions` with a Bearer token. */
export const replicate = defineProvider<ReplicateConfig>({
  type: 'replicate',
  fields: z.object({
    apiKey: z.string().min(1, 'apiKey is empty'),
    safetyTolerance: z.number().int().min(0).max(6).optional(),
  }),
  defaultBaseUrl: () => 'https://api.replicate.com/v1',
  models: [
    { id: PRO, upstream: PRO },
    { id: MAX, upstream: MAX },
    // The short names, when neither bfl nor fal has them.
    { id: 'flux-kontext-pro', upstream: PRO },
    { id: 'flux-kontext-max', upstream: MAX },
  ],
  capabilities: { mask: false, imagesPerCall: 1, formats: ['png', 'jpeg'], sizes: `aspect_ratio, nearest of ${REPLICATE_RATIOS.join(', ')}; otherwise match_input_image` },
  describe: (p) => `key ${maskSecret(p.apiKey)}`,
  create: (p, deps) => new ReplicateBackend(p, deps.maxPixels, deps.backoffMs),
});
