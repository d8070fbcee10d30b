import { z } from 'zod';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import { defineProvider, maskSecret } from '../provider.ts';
import { OpenAIBackend } from './index.ts';

export const OPENAI_MODELS = ['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5', 'gpt-image-2', 'chatgpt-image-latest', 'dall-e-2'];

/** Served by OpenAI itself only: ChatGPT's alias and the newest model are not Azure deployments. */
export const OPENAI_ONLY_MODELS = ['dall-e-2', 'gpt-image-2', 'chatgpt-image-latest'];

/** `openai`: OpenAI's Images API or any relay that speaks it. */
export const openai = defineProvider<KeyedProviderConfig>({
  type: 'openai',
  fields: z.object({ apiKey: z.string().min(1, 'apiKey is empty') }),
  defaultBaseUrl: () => 'https://api.openai.com/v1',
  env: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
  models: OPENAI_MODELS.map((m) => ({ id: m, upstream: m })),
  capabilities: { mask: true, imagesPerCall: 10, formats: ['png', 'jpeg', 'webp'], sizes: '1024x1024, 1536x1024, 1024x1536 (dall-e-2: 256/512/1024 squares; gpt-image-2: any WxH in multiples of 16, 1:3 to 3:1, up to 3840x2160) sent as is' },
  describe: (p) => `key ${maskSecret(p.apiKey)}`,
  create: (p, deps) => new OpenAIBackend(p, deps.maxPixels, deps.backoffMs),
});
