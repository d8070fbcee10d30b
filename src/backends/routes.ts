import { splitRouteEntry, type RoutingConfig } from '../config/routing.ts';
import type { Backend, RouteEntry } from './index.ts';
import { LOCAL_MODEL, type LocalBackend } from './local/index.ts';
import type { BackendDeps } from './provider.ts';
import { PROVIDERS, providerSpec } from './registry.ts';

/**
 * Built-in routes, as route strings: each provider named after its type (`openai`, `bfl`…) serves
 * that type's model names. A name two types share goes to the type listed first in the registry;
 * the nano banana names fall back to the local engine while no Google provider is set up.
 */
export function defaultRoutes(routing: RoutingConfig): Map<string, string[]> {
  const routes = new Map<string, string[]>([[LOCAL_MODEL, ['local']]]);
  const placeholders = new Set<string>();
  for (const spec of PROVIDERS) {
    const enabled = routing.providers.get(spec.type)?.type === spec.type;
    for (const m of spec.models) {
      if (enabled && (!routes.has(m.id) || placeholders.has(m.id))) {
        routes.set(m.id, [`${spec.type}:${m.upstream}`]);
        placeholders.delete(m.id);
      } else if (!enabled && m.localUntilConfigured && !routes.has(m.id)) {
        routes.set(m.id, ['local']);
        placeholders.add(m.id);
      }
    }
  }
  return routes;
}

/** The effective model → route table: the built-in routes, then the config file's, which replace them by name. */
export function routeTable(routing: RoutingConfig): Map<string, string[]> {
  return new Map([...defaultRoutes(routing), ...routing.models]);
}

export interface BuildRoutesOptions extends Omit<BackendDeps, 'maxPixels'> {
  maxPixels: number;
}

/** One backend per provider (so each has one concurrency limit), and the model → route table. */
export function buildRoutes(routing: RoutingConfig, local: LocalBackend, opts: BuildRoutesOptions): Map<string, RouteEntry[]> {
  const backends = new Map<string, Backend>([['local', local]]);
  for (const p of routing.providers.values()) {
    // loadRouting has already refused unknown types, so this lookup cannot miss.
    backends.set(p.name, providerSpec(p.type)!.create(p, opts));
  }
  const routes = new Map<string, RouteEntry[]>();
  for (const [model, entries] of routeTable(routing)) {
    routes.set(model, entries.map((entry) => {
      if (entry === 'local') return { backend: local, model: LOCAL_MODEL };
      const [provider, upstreamModel] = splitRouteEntry(entry);
      // loadRouting has already refused unknown providers, so this lookup cannot miss.
      return { backend: backends.get(provider)!, model: upstreamModel };
    }));
  }
  return routes;
}
