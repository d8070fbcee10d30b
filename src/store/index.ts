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
  /** Scopes beyond editing: `admin` opens /v1/admin. Absent or empty: an ordinary key. */
  scopes?: KeyScope[];
}

export type KeyScope = 'admin';

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
  /** Images produced (n of a successful edit); absent: none. */
  images?: number;
}

/** One admin action: who (the admin key's id), what, on what, when, and how it ended. */
export interface AuditRecord {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  status: number;
  requestId: string;
  detail: Record<string, unknown> | null;
}

/** What the usage charts ask for: a time range in buckets, optionally one series per key, model or backend. */
export interface UsageQuery {
  from: number;
  to: number;
  bucketMs: number;
  groupBy: 'key' | 'model' | 'backend' | null;
  keyId?: string;
  model?: string;
  backend?: string;
}

export interface UsageSeriesRow {
  /** Start of the bucket, ms since the epoch (UTC-aligned). */
  bucket: number;
  /** The key id, model or backend of this series; null without groupBy (or for records without one). */
  group: string | null;
  requests: number;
  images: number;
  /** Answers with status 400 or more. */
  errors: number;
  /** 429s: rate limits and spent quotas. */
  refusals: number;
  outputPixels: number;
  inputTokens: number;
  outputTokens: number;
  latencyMs: { p50: number; p95: number; p99: number };
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

/** A window of time, [start, end) in ms since the epoch. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** What one key spent of its quotas in a UTC day and the month that holds it (see `Store.quotaSpend`). */
export interface QuotaSpendRow {
  keyId: string;
  imagesToday: number;
  imagesThisMonth: number;
  outputPixelsThisMonth: number;
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
  /**
   * What each of `keyIds` spent of its quotas, summed from its usage records as the key-limit gate
   * charges them: the images of requests that were answered (status below 400, or 499: answered,
   * then the client left), in the day and in the month, and the output pixels of every request in
   * the month (pixels an upstream produced are spent even when the answer then failed). `day` lies
   * within `month`. One row per key with records in the month; none for the others.
   */
  quotaSpend(keyIds: string[], windows: { day: TimeWindow; month: TimeWindow }): Promise<QuotaSpendRow[]>;
  getKey(id: string): Promise<ApiKeyRecord | null>;
  /** Gives a key a new secret (its prefix and hash); false when no active key has that id. */
  rotateKey(id: string, prefix: string, hash: string): Promise<boolean>;
  /** Usage in buckets over [from, to), ordered by bucket then series; counts and percentiles exact. */
  usageSeries(query: UsageQuery): Promise<UsageSeriesRow[]>;
  /** The latest failed requests (status 400 or more), newest first. */
  recentFailures(limit: number): Promise<UsageRecord[]>;
  insertAudit(record: AuditRecord): Promise<void>;
  /** The latest admin actions, newest first. */
  listAudit(limit: number): Promise<AuditRecord[]>;
  close(): Promise<void>;
}
