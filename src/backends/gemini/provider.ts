import { z } from 'zod';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import { defineProvider, maskSecret, type ProviderModel } from '../provider.ts';
import { ASPECT_RATIOS } from './image-config.ts';
import { GeminiBackend } from './index.ts';

export const NANO_BANANA = 'gemini-2.5-flash-image';

/** The image models on Google's generateContent, under their own and their nickname names (shared with vertex). */
export const GOOGLE_IMAGE_MODELS: readonly ProviderModel[] = [
  // The nano banana names work on a fresh install: the local engine serves them until Gemini is set up.
  ...['nano-banana-1', 'nano-banana', NANO_BANANA].map((id) => ({ id, upstream: NANO_BANANA, localUntilConfigured: true })),
  { id: 'nano-banana-pro', upstream: 'gemini-3-pro-image-preview' },
  { id: 'nano-banana-2', upstream: 'gemini-3.1-flash-image-preview' },
];

export const GOOGLE_IMAGE_CAPABILITIES = {
  mask: false,
  imagesPerCall: 1,
  formats: ['png'],
  sizes: `aspectRatio (${ASPECT_RATIOS.join(', ')}), imageSize 1K/2K/4K on the 3-series`,
} as const;

/** `gemini`: the Gemini API with an API key. */
export const gemini = defineProvider<KeyedProviderConfig>({
  type: 'gemini',
  fields: z.object({ apiKey: z.string().min(1, 'apiKey is empty') }),
  defaultBaseUrl: () => 'https://generativelanguage.googleapis.com',
  env: { apiKey: 'GEMINI_API_KEY', baseUrl: 'GEMINI_BASE_URL' },
  models: GOOGLE_IMAGE_MODELS,
  capabilities: GOOGLE_IMAGE_CAPABILITIES,
  describe: (p) => `key ${maskSecret(p.apiKey)}`,
  create: (p, deps) => new GeminiBackend(p, deps.maxPixels, deps.backoffMs),
});
