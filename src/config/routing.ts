import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export type ProviderType = 'openai' | 'gemini';

/** Limits for calls to one upstream provider. */
export interface UpstreamPolicy {
  timeoutMs: number;
  retries: number;
  maxConcurrent: number;
  /** Requests allowed to wait for a slot; beyond this a request gets 429 at once. */
  maxQueue: number;
  /** Largest upstream answer read; a larger one is a 502. */
  maxResponseBytes: number;
}

export interface ProviderConfig extends UpstreamPolicy {
  name: string;
  type: ProviderType;
  baseUrl: string;
  apiKey: string;
}

/** Providers, and model routes from the config file (built-in defaults are added in backends/). */
export interface RoutingConfig {
  providers: Map<string, ProviderConfig>;
  models: Map<string, string[]>;
}

export const DEFAULT_POLICY: UpstreamPolicy = { timeoutMs: 300_000, retries: 2, maxConcurrent: 8, maxQueue: 64, maxResponseBytes: 256 * 1024 * 1024 };

const policy = z.object({
  timeoutMs: z.number().int().min(1).max(3_600_000),
  retries: z.number().int().min(0).max(10),
  maxConcurrent: z.number().int().min(1).max(1024),
  maxQueue: z.number().int().min(0).max(100_000),
  maxResponseBytes: z.number().int().min(1024),
}).partial().strict();

const providerSchema = policy.extend({
  type: z.enum(['openai', 'gemini']),
  baseUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')).optional(),
  apiKey: z.string().min(1, 'apiKey is empty'),
}).strict();

const fileSchema = z.object({
  upstream: policy.optional(),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'provider names are lower-case letters, digits, - and _'), providerSchema).optional(),
  models: z.record(z.string().min(1), z.object({ route: z.array(z.string().min(1)).min(1) }).strict()).optional(),
}).strict();

const DEFAULT_BASE_URL: Record<ProviderType, string> = {
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
};

// `${VAR}` is not valid YAML inside a flow map ("{ apiKey: ${KEY} }"), which is how the README's
// example is written. Placeholders are swapped for plain-scalar tokens before parsing, and the
// tokens are expanded in the parsed strings, so the file's structure never depends on a secret's
// characters.
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const TOKEN = /__retouch_env_([A-Za-z_][A-Za-z0-9_]*)__/g;

const protectPlaceholders = (text: string) => text.replace(PLACEHOLDER, (_m, name: string) => `__retouch_env_${name}__`);

/** Expands env tokens in every string of the parsed file; each unset variable is a problem, named with where it is used. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, where: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(TOKEN, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') problems.push(`${where}: environment variable ${name} is not set.`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${where}[${i}]`, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, where ? `${where}.${k}` : k, problems)]));
  }
  return value;
}

function readConfigFile(file: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`RETOUCH_CONFIG=${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
    return undefined;
  }
  try {
    // YAML is a superset of JSON, so one parser reads both.
    return parseYaml(protectPlaceholders(text)) ?? {};
  } catch (err) {
    problems.push(`RETOUCH_CONFIG=${file}: not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/**
 * Builds the providers and routes from the env shortcuts (OPENAI_API_KEY, GEMINI_API_KEY) and the
 * RETOUCH_CONFIG file. Problems are pushed to `problems`; the caller fails once with all of them.
 */
export function loadRouting(env: NodeJS.ProcessEnv, problems: string[]): RoutingConfig {
  const providers = new Map<string, ProviderConfig>();
  const models = new Map<string, string[]>();
  const shortcut = (name: ProviderType, key: string | undefined, baseUrl: string | undefined) => {
    if (key?.trim()) providers.set(name, { name, type: name, baseUrl: (baseUrl ?? DEFAULT_BASE_URL[name]).replace(/\/+$/, ''), apiKey: key.trim(), ...DEFAULT_POLICY });
  };
  shortcut('openai', env.OPENAI_API_KEY, env.OPENAI_BASE_URL?.trim() || undefined);
  shortcut('gemini', env.GEMINI_API_KEY, env.GEMINI_BASE_URL?.trim() || undefined);

  const file = env.RETOUCH_CONFIG?.trim();
  if (!file) return { providers, models };
  const raw = readConfigFile(file, problems);
  if (raw === undefined) return { providers, models };
  const expanded = expandEnv(raw, env, '', problems);
  const parsed = fileSchema.safeParse(expanded);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    return { providers, models };
  }
  const defaults = { ...DEFAULT_POLICY, ...parsed.data.upstream };
  for (const [name, p] of Object.entries(parsed.data.providers ?? {})) {
    providers.set(name, { ...defaults, ...p, name, baseUrl: p.baseUrl ?? DEFAULT_BASE_URL[p.type] });
  }
  for (const [model, { route }] of Object.entries(parsed.data.models ?? {})) {
    for (const entry of route) {
      if (entry === 'local') continue;
      const [provider, upstreamModel] = splitRouteEntry(entry);
      if (!upstreamModel) problems.push(`${file}: models.${model}.route: '${entry}' must be 'provider:upstream-model' or 'local'.`);
      else if (!providers.has(provider)) {
        problems.push(`${file}: models.${model}.route: unknown provider '${provider}' (declared: ${[...providers.keys()].join(', ') || 'none'}).`);
      }
    }
    models.set(model, route);
  }
  return { providers, models };
}

/** "gemini:gemini-2.5-flash-image" → ["gemini", "gemini-2.5-flash-image"]. */
export function splitRouteEntry(entry: string): [string, string] {
  const i = entry.indexOf(':');
  return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
}
