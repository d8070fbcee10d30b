import { splitRouteEntry, type RoutingConfig } from '../config/routing.ts';
import { GeminiBackend } from './gemini/index.ts';
import type { Backend, RouteEntry } from './index.ts';
import { LOCAL_MODEL, type LocalBackend } from './local/index.ts';
import { OpenAIBackend } from './openai/index.ts';

export const OPENAI_MODELS = ['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5', 'dall-e-2'];
export const NANO_BANANA = 'gemini-2.5-flash-image';

/** Built-in routes, as route strings, given which providers are enabled. */
export function defaultRoutes(enabled: (name: string) => boolean): Map<string, string[]> {
  const routes = new Map<string, string[]>([[LOCAL_MODEL, ['local']]]);
  if (enabled('openai')) for (const m of OPENAI_MODELS) routes.set(m, [`openai:${m}`]);
  // The nano banana names work on a fresh install: the local engine serves them until Gemini is set up.
  for (const m of ['nano-banana-1', 'nano-banana', NANO_BANANA]) routes.set(m, [enabled('gemini') ? `gemini:${NANO_BANANA}` : 'local']);
  if (enabled('gemini')) {
    routes.set('nano-banana-pro', ['gemini:gemini-3-pro-image-preview']);
    routes.set('nano-banana-2', ['gemini:gemini-3.1-flash-image-preview']);
  }
  return routes;
}

export interface BuildRoutesOptions {
  maxPixels: number;
  /** Tests shorten upstream backoff; production uses openai-node's 0.5 s. */
  backoffMs?: number;
}

/** One backend per provider (so each has one concurrency limit), and the model → route table. */
export function buildRoutes(routing: RoutingConfig, local: LocalBackend, opts: BuildRoutesOptions): Map<string, RouteEntry[]> {
  const backends = new Map<string, Backend>([['local', local]]);
  for (const p of routing.providers.values()) {
    backends.set(p.name, p.type === 'openai' ? new OpenAIBackend(p, opts.maxPixels, opts.backoffMs) : new GeminiBackend(p, opts.maxPixels, opts.backoffMs));
  }
  const table = new Map([...defaultRoutes((name) => routing.providers.has(name)), ...routing.models]);
  const routes = new Map<string, RouteEntry[]>();
  for (const [model, entries] of table) {
    routes.set(model, entries.map((entry) => {
      if (entry === 'local') return { backend: local, model: LOCAL_MODEL };
      const [provider, upstreamModel] = splitRouteEntry(entry);
      // loadRouting has already refused unknown providers, so this lookup cannot miss.
      return { backend: backends.get(provider)!, model: upstreamModel };
    }));
  }
  return routes;
}
