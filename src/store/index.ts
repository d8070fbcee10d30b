import type { KeyLimits } from '../keys/limits.ts';
import type { JobStore } from './jobs.ts';

export type * from './jobs.ts';

/** What Retouch keeps between requests: API keys (hashed) and usage records. */
export interface ApiKeyRecord {
  id: string;
  name: string | null;
  /** The first characters of the key, shown in listings so people can tell keys apart. */
  prefix: string;
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  hash: string;
  createdAt: number;
  revokedAt: number | null;
  /** The key's own rate limits and quotas; null: the server's defaults. */
  limits: KeyLimits | null;
  /**
   * The key's webhook signing secret (`whsec_…`), kept in the clear because signing needs it; shown
   * by `retouch keys`, never by the API. Null for keys made before webhooks existed, until set.
   */
  webhookSecret?: string | null;
}

export interface UsageRecord {
  id: string;
  requestId: string;
  keyId: string | null;
  model: string | null;
  backend: string | null;
  status: number;
  errorCode: string | null;
  inputBytes: number;
  inputPixels: number;
  outputBytes: number;
  outputPixels: number;
  latencyMs: number;
  createdAt: number;
  upstreamModel: string | null;
  attempts: Array<{ backend: string; model: string; calls?: number; latencyMs: number; error?: string }> | null;
  upstreamLatencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

export interface UsageSummaryRow {
  model: string | null;
  backend: string | null;
  requests: number;
  errors: number;
  inputBytes: number;
  outputBytes: number;
  outputPixels: number;
  avgLatencyMs: number;
  inputTokens: number;
  outputTokens: number;
}

export interface Store extends JobStore {
  readonly kind: string;
  insertKey(key: ApiKeyRecord): Promise<void>;
  /** Keys (revoked too) whose prefix matches; the caller compares hashes in constant time. */
  findKeysByPrefix(prefix: string): Promise<ApiKeyRecord[]>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when no active key has that id. */
  revokeKey(id: string, at: number): Promise<boolean>;
  /** Replaces a key's limits; false when no key has that id. */
  updateKeyLimits(id: string, limits: KeyLimits | null): Promise<boolean>;
  countKeys(): Promise<number>;
  /** Sets a key's webhook secret; false when no key has that id. */
  setWebhookSecret(id: string, secret: string): Promise<boolean>;
  insertUsage(record: UsageRecord): Promise<void>;
  summarizeUsage(since: number): Promise<UsageSummaryRow[]>;
  /** The usage record of one request, for tests and support. */
  usageForRequest(requestId: string): Promise<UsageRecord | null>;
  /** A key's latest usage records, newest first. */
  usageForKey(keyId: string, limit: number): Promise<UsageRecord[]>;
  close(): Promise<void>;
}
