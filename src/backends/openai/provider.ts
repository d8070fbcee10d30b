import { z } from 'zod';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import { defineProvider, maskSecret } from '../provider.ts';
import { OpenAIBackend } from './index.ts';

export const OPENAI_MODELS = ['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5', 'dall-e-2'];

/** `openai`: OpenAI's Images API or any relay that speaks it. */
export const openai = defineProvider<KeyedProviderConfig>({
  type: 'openai',
  fields: z.object({ apiKey: z.string().min(1, 'apiKey is empty') }),
  defaultBaseUrl: () => 'https://api.openai.com/v1',
  env: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
  models: OPENAI_MODELS.map((m) => ({ id: m, upstream: m })),
  capabilities: { mask: true, imagesPerCall: 10, formats: ['png', 'jpeg', 'webp'], sizes: '1024x1024, 1536x1024, 1024x1536 (dall-e-2: 256/512/1024 squares) sent as is' },
  describe: (p) => `key ${maskSecret(p.apiKey)}`,
  create: (p, deps) => new OpenAIBackend(p, deps.maxPixels, deps.backoffMs),
});
