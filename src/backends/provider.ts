import type { z } from 'zod';
import type { ProviderConfig } from '../config/routing.ts';
import type { OutputFormat } from '../images/encode.ts';
import type { Backend } from './index.ts';

/** A public model name a provider type serves out of the box, and the upstream's name for it. */
export interface ProviderModel {
  id: string;
  upstream: string;
  /** Served by the local engine while no provider of this type is set up (the nano banana names). */
  localUntilConfigured?: boolean;
}

/** What a provider type can do; the rest of the contract (exact size, mask, format) is applied to its result. */
export interface ProviderCapabilities {
  /** Whether the upstream takes the mask itself; otherwise edits outside it are undone afterwards. */
  mask: boolean;
  /** Most images one upstream call makes; `n` beyond it is that many calls. */
  imagesPerCall: number;
  /** Formats the upstream itself writes; others are converted from its result. */
  formats: readonly OutputFormat[];
  /** How `size` reaches the upstream. */
  sizes: string;
}

/** An OAuth2 access token and when it stops working (ms since the epoch). */
export interface AccessToken {
  token: string;
  expiresAt?: number;
}

/** Where a provider that authenticates with OAuth2 (vertex) gets its tokens. */
export interface TokenSource {
  getAccessToken(): Promise<AccessToken>;
}

/** What a backend is built with besides its provider's config. */
export interface BackendDeps {
  maxPixels: number;
  /** Base of the retry backoff and of the polling interval; tests shorten it. */
  backoffMs?: number;
  /** Tests inject the token source of OAuth2 providers instead of real service-account credentials. */
  tokenSource?: (provider: ProviderConfig) => TokenSource | undefined;
}

/**
 * One kind of upstream, declared in one folder under src/backends/ and listed once in registry.ts:
 * config/ reads its schema and defaults from here, the router its models, and `create` builds it.
 */
export interface ProviderSpec<C extends ProviderConfig = ProviderConfig> {
  type: string;
  /** The type's own fields in RETOUCH_CONFIG (the limits, `type` and `baseUrl` are common to all). */
  fields: z.ZodObject;
  /** The base URL when the config names none; undefined means `baseUrl` is required. */
  defaultBaseUrl(fields: Record<string, unknown>): string | undefined;
  /** Environment variables that enable a provider of this type, named after it, without a config file. */
  env?: { apiKey: string; baseUrl: string };
  models: readonly ProviderModel[];
  capabilities: ProviderCapabilities;
  /** One line for `retouch config`: how it authenticates, secrets masked. */
  describe(config: C): string;
  create(config: C, deps: BackendDeps): Backend;
}

/** Declares a provider type with its config type checked against its schema's output. */
export const defineProvider = <C extends ProviderConfig>(spec: ProviderSpec<C>): ProviderSpec<C> => spec;

/** The first characters of a secret, for printing. */
export const maskSecret = (key: string) => (key.length > 8 ? `${key.slice(0, 4)}…${key.slice(-2)}` : '…');
