import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PROVIDERS, providerSpec } from '../backends/registry.ts';

/** Limits for calls to one upstream provider. */
export interface UpstreamPolicy {
  /** Per attempt for a synchronous upstream; for a submit-and-poll one, the whole task. */
  timeoutMs: number;
  retries: number;
  maxConcurrent: number;
  /** Requests allowed to wait for a slot; beyond this a request gets 429 at once. */
  maxQueue: number;
  /** Largest upstream answer read; a larger one is a 502. */
  maxResponseBytes: number;
}

/** What every provider has; each type adds its own fields (apiKey, project, deployment…) from its schema. */
export interface ProviderConfig extends UpstreamPolicy {
  name: string;
  /** A type listed in backends/registry.ts. */
  type: string;
  baseUrl: string;
}

/** A provider authenticated by one API key (most types). */
export interface KeyedProviderConfig extends ProviderConfig {
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

const baseUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

/** A provider's entry is read in two steps: its type first, then the fields that type declares. */
const providerHead = z.object({ type: z.string() }).loose();

const fileSchema = z.object({
  upstream: policy.optional(),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'provider names are lower-case letters, digits, - and _'), providerHead).optional(),
  models: z.record(z.string().min(1), z.object({ route: z.array(z.string().min(1)).min(1) }).strict()).optional(),
}).strict();

/** The full schema of one provider entry of a type: the common fields and the type's own. */
const entrySchemas = new Map(PROVIDERS.map((spec) => [spec.type, policy.extend({
  type: z.literal(spec.type),
  baseUrl: baseUrl.optional(),
}).extend(spec.fields.shape).strict()]));

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
  // OPENAI_API_KEY and the like: a provider named after its type, with the default limits.
  for (const spec of PROVIDERS) {
    const key = spec.env && env[spec.env.apiKey]?.trim();
    if (!spec.env || !key) continue;
    const url = env[spec.env.baseUrl]?.trim() || spec.defaultBaseUrl({ apiKey: key })!;
    providers.set(spec.type, { name: spec.type, type: spec.type, baseUrl: url.replace(/\/+$/, ''), apiKey: key, ...DEFAULT_POLICY } as KeyedProviderConfig);
  }

  const file = env.RETOUCH_CONFIG?.trim();
  if (!file) return { providers, models };
  const raw = readConfigFile(file, problems);
  if (raw === undefined) return { providers, models };
  const expanded = expandEnv(raw, env, '', problems);
  const parsed = fileSchema.safeParse(expanded);
  const report = (issues: z.core.$ZodIssue[], prefix: Array<string | number | symbol> = []) => {
    for (const issue of issues) problems.push(`${file}: ${[...prefix, ...issue.path].map(String).join('.') || '(top level)'}: ${issue.message}`);
  };
  if (!parsed.success) {
    report(parsed.error.issues);
    return { providers, models };
  }
  const defaults = { ...DEFAULT_POLICY, ...parsed.data.upstream };
  // Declared but invalid: already reported, so routes naming them are not reported again.
  const invalid = new Set<string>();
  for (const [name, entry] of Object.entries(parsed.data.providers ?? {})) {
    invalid.add(name);
    const spec = providerSpec(entry.type);
    if (!spec) {
      problems.push(`${file}: providers.${name}.type: unknown provider type '${entry.type}' (known: ${PROVIDERS.map((p) => p.type).join(', ')}).`);
      continue;
    }
    const p = entrySchemas.get(spec.type)!.safeParse(entry);
    if (!p.success) {
      report(p.error.issues, ['providers', name]);
      continue;
    }
    const url = p.data.baseUrl ?? spec.defaultBaseUrl(p.data);
    if (!url) {
      problems.push(`${file}: providers.${name}.baseUrl: a ${spec.type} provider needs its baseUrl.`);
      continue;
    }
    providers.set(name, { ...defaults, ...p.data, name, baseUrl: url } as ProviderConfig);
    invalid.delete(name);
  }
  for (const [model, { route }] of Object.entries(parsed.data.models ?? {})) {
    for (const entry of route) {
      if (entry === 'local') continue;
      const [provider, upstreamModel] = splitRouteEntry(entry);
      if (!upstreamModel) problems.push(`${file}: models.${model}.route: '${entry}' must be 'provider:upstream-model' or 'local'.`);
      else if (!providers.has(provider) && !invalid.has(provider)) {
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
