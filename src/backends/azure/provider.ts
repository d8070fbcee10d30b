import { z } from 'zod';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import { OPENAI_MODELS, OPENAI_ONLY_MODELS } from '../openai/provider.ts';
import { defineProvider, maskSecret } from '../provider.ts';
import { AzureBackend } from './index.ts';

export interface AzureConfig extends KeyedProviderConfig {
  apiVersion: string;
  /** The deployment every call goes to; unset: the route's model names the deployment. */
  deployment?: string;
}

/** `azure`: Azure OpenAI, `{baseUrl}/openai/deployments/{deployment}/images/edits?api-version=…` with `api-key`. */
export const azure = defineProvider<AzureConfig>({
  type: 'azure',
  fields: z.object({
    apiKey: z.string().min(1, 'apiKey is empty'),
    apiVersion: z.string().min(1).default('2025-04-01-preview'),
    deployment: z.string().min(1).optional(),
  }),
  // Every Azure resource has its own address (https://NAME.openai.azure.com): baseUrl is required.
  defaultBaseUrl: () => undefined,
  models: OPENAI_MODELS.filter((m) => !OPENAI_ONLY_MODELS.includes(m)).map((m) => ({ id: m, upstream: m })),
  capabilities: { mask: true, imagesPerCall: 10, formats: ['png', 'jpeg', 'webp'], sizes: '1024x1024, 1536x1024, 1024x1536 sent as is' },
  describe: (p) => `key ${maskSecret(p.apiKey)}, api-version ${p.apiVersion}${p.deployment ? `, deployment ${p.deployment}` : ''}`,
  create: (p, deps) => new AzureBackend(p, deps.maxPixels, deps.backoffMs),
});
