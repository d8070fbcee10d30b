import { gemini } from './gemini/provider.ts';
import { openai } from './openai/provider.ts';
import type { ProviderSpec } from './provider.ts';

/**
 * Every provider type, one line each. The order decides which type's built-in model names win when
 * two serve the same name (gpt-image-1 from openai before azure, flux-kontext-pro from bfl first).
 */
export const PROVIDERS: readonly ProviderSpec<any>[] = [
  openai,
  gemini,
];

export const providerSpec = (type: string): ProviderSpec<any> | undefined => PROVIDERS.find((p) => p.type === type);
