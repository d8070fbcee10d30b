import { azure } from './azure/provider.ts';
import { bfl } from './bfl/provider.ts';
import { fal } from './fal/provider.ts';
import { gemini } from './gemini/provider.ts';
import { openai } from './openai/provider.ts';
import type { ProviderSpec } from './provider.ts';
import { replicate } from './replicate/provider.ts';
import { vertex } from './vertex/provider.ts';

/**
 * Every provider type, one line each. The order decides which type's built-in model names win when
 * two serve the same name (gpt-image-1 from openai before azure, flux-kontext-pro from bfl first).
 */
export const PROVIDERS: readonly ProviderSpec<any>[] = [
  openai,
  gemini,
  vertex,
  bfl,
  fal,
  replicate,
  azure,
];

export const providerSpec = (type: string): ProviderSpec<any> | undefined => PROVIDERS.find((p) => p.type === type);
