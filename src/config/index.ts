import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ENV, type EnvName, type EnvValues, type EnvVar } from './env.ts';
import { loadRouting, type RoutingConfig } from './routing.ts';
import type { KeyLimits } from '../keys/limits.ts';
import type { MetricsAccess } from '../metrics/index.ts';

export interface Limits {
  maxUploadBytes: number;
  /** Request bodies held in memory at once, across requests (see BodyMemory). */
  uploadMemoryBytes: number;
  /** A request body idle this long, or still arriving after the deadline, is answered 408. */
  uploadIdleMs: number;
  uploadDeadlineMs: number;
  maxInputPixels: number;
  maxImages: number;
  maxPromptChars: number;
}

/** The validated configuration that createApp is built from. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string | undefined;
  limits: Limits;
  imageTtlMs: number;
  apiKeys: string[];
  /** Static admin keys (RETOUCH_ADMIN_KEYS): they open /v1/admin and the console. */
  adminKeys: string[];
  /** How GET /metrics is protected (see metrics/http.ts). */
  metrics: MetricsAccess;
  corsOrigins: string[];
  remoteImages: boolean;
  /** Bounds on local-engine work: how many edits run at once, how many may wait. */
  local: { concurrency: number; queue: number; timeoutMs: number; segmenter: 'auto' | 'isnet' | 'grabcut'; segmentationModel: string | undefined; segmentSide: number };
  logLevel: string;
  routing: RoutingConfig;
  /** PostgreSQL when set; SQLite in the data dir otherwise. */
  databaseUrl: string | undefined;
  /** S3-compatible blob storage when set; files in the data dir otherwise. */
  s3: S3Config | undefined;
  /** How /img/<name> answers when images live in S3. */
  imageUrls: 'proxy' | 'presigned';
  /** Shared limits and semaphores when set; in this process otherwise. */
  redis: { url: string; prefix: string } | undefined;
  /** Limits for keys that have none of their own. */
  keyDefaults: KeyLimits;
  /** Where edits run, and the bounds of the BullMQ queue and its workers. */
  queue: QueueConfig;
  /** Long edits: how streams are kept alive, where webhooks may go; the local engine's result cache. */
  jobs: { heartbeatMs: number; webhookAllowPrivate: boolean; staticKeysWebhookSecret: string | undefined; cacheBytes: number; cacheTtlMs: number };
}

export interface QueueConfig {
  kind: 'inline' | 'bullmq';
  maxWaiting: number;
  deadlineMs: number;
  workerConcurrency: number;
  workerPort: number;
  lockMs: number;
  /** Inline queue: how long a shutdown lets detached (async) jobs finish before it stops them. */
  shutdownGraceMs: number;
}

export interface S3Config {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  prefix: string;
  requestChecksum: 'when_supported' | 'when_required' | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Start-up refuses to run on a bad configuration, and says every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const MIB = 1024 * 1024;

function readEnv(env: NodeJS.ProcessEnv, problems: string[]): EnvValues {
  const values: Record<string, unknown> = {};
  for (const spec of Object.values(ENV) as EnvVar[]) {
    const raw = env[spec.name]?.trim() || spec.default;
    if (raw === undefined) continue;
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) values[spec.name] = parsed.data;
    else {
      const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${spec.name}=${shown}: ${parsed.error.issues[0]?.message ?? 'invalid'}. ${spec.name} is: ${spec.description}.`);
    }
  }
  return values as EnvValues;
}

/** Reads and validates the environment; throws ConfigError listing every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const v = readEnv(env, problems);
  const routing = loadRouting(env, problems);
  if (v.RETOUCH_QUEUE === 'bullmq' && !v.RETOUCH_REDIS_URL) {
    problems.push('RETOUCH_QUEUE=bullmq needs RETOUCH_REDIS_URL: the queue lives in Redis.');
  }
  if (problems.length) throw new ConfigError(problems);
  const get = <K extends EnvName>(k: K) => v[k] as NonNullable<EnvValues[K]>;
  return {
    port: get('PORT'),
    host: get('HOST'),
    dataDir: path.resolve(get('RETOUCH_DATA_DIR')),
    publicUrl: v.RETOUCH_PUBLIC_URL,
    limits: {
      maxUploadBytes: Math.floor(get('RETOUCH_MAX_UPLOAD_MB') * MIB),
      uploadMemoryBytes: Math.floor(get('RETOUCH_UPLOAD_MEMORY_MB') * MIB),
      uploadIdleMs: get('RETOUCH_UPLOAD_IDLE_SECONDS') * 1000,
      uploadDeadlineMs: get('RETOUCH_UPLOAD_DEADLINE_SECONDS') * 1000,
      maxInputPixels: Math.floor(get('RETOUCH_MAX_INPUT_MEGAPIXELS') * 1_000_000),
      maxImages: get('RETOUCH_MAX_IMAGES'),
      maxPromptChars: 32000,
    },
    imageTtlMs: get('RETOUCH_IMAGE_TTL_HOURS') * 3600_000,
    apiKeys: v.RETOUCH_API_KEYS ?? [],
    adminKeys: v.RETOUCH_ADMIN_KEYS ?? [],
    metrics: { token: v.RETOUCH_METRICS_TOKEN, port: v.RETOUCH_METRICS_PORT, host: get('RETOUCH_METRICS_HOST') },
    corsOrigins: v.RETOUCH_CORS_ORIGINS ?? [],
    remoteImages: get('RETOUCH_REMOTE_IMAGES'),
    local: {
      concurrency: v.RETOUCH_LOCAL_CONCURRENCY ?? availableParallelism(),
      queue: get('RETOUCH_LOCAL_QUEUE'),
      timeoutMs: get('RETOUCH_LOCAL_TIMEOUT_SECONDS') * 1000,
      segmenter: get('RETOUCH_SEGMENTER'),
      segmentationModel: v.RETOUCH_SEGMENTATION_MODEL ? path.resolve(v.RETOUCH_SEGMENTATION_MODEL) : undefined,
      segmentSide: get('RETOUCH_SEGMENT_SIDE'),
    },
    logLevel: get('RETOUCH_LOG_LEVEL'),
    routing,
    databaseUrl: v.RETOUCH_DATABASE_URL,
    s3: v.RETOUCH_S3_BUCKET ? {
      bucket: v.RETOUCH_S3_BUCKET,
      endpoint: v.RETOUCH_S3_ENDPOINT,
      region: get('RETOUCH_S3_REGION'),
      forcePathStyle: get('RETOUCH_S3_FORCE_PATH_STYLE'),
      prefix: get('RETOUCH_S3_PREFIX'),
      requestChecksum: v.RETOUCH_S3_REQUEST_CHECKSUM,
      credentials: v.AWS_ACCESS_KEY_ID && v.AWS_SECRET_ACCESS_KEY ? { accessKeyId: v.AWS_ACCESS_KEY_ID, secretAccessKey: v.AWS_SECRET_ACCESS_KEY } : undefined,
    } : undefined,
    imageUrls: get('RETOUCH_IMAGE_URLS'),
    redis: v.RETOUCH_REDIS_URL ? { url: v.RETOUCH_REDIS_URL, prefix: get('RETOUCH_REDIS_PREFIX') } : undefined,
    jobs: {
      heartbeatMs: get('RETOUCH_STREAM_HEARTBEAT_SECONDS') * 1000,
      webhookAllowPrivate: get('RETOUCH_WEBHOOK_ALLOW_PRIVATE'),
      staticKeysWebhookSecret: v.RETOUCH_WEBHOOK_SECRET,
      cacheBytes: Math.floor(get('RETOUCH_CACHE_MB') * MIB),
      cacheTtlMs: get('RETOUCH_CACHE_TTL_MINUTES') * 60_000,
    },
    keyDefaults: {
      ...(v.RETOUCH_DEFAULT_RPM ? { rpm: v.RETOUCH_DEFAULT_RPM } : {}),
      ...(v.RETOUCH_DEFAULT_IMAGES_PER_DAY ? { imagesPerDay: v.RETOUCH_DEFAULT_IMAGES_PER_DAY } : {}),
      ...(v.RETOUCH_DEFAULT_IMAGES_PER_MONTH ? { imagesPerMonth: v.RETOUCH_DEFAULT_IMAGES_PER_MONTH } : {}),
      ...(v.RETOUCH_DEFAULT_CONCURRENT_EDITS ? { concurrent: v.RETOUCH_DEFAULT_CONCURRENT_EDITS } : {}),
      ...(v.RETOUCH_DEFAULT_MEGAPIXELS_PER_MONTH ? { megapixelsPerMonth: v.RETOUCH_DEFAULT_MEGAPIXELS_PER_MONTH } : {}),
    },
    queue: {
      kind: get('RETOUCH_QUEUE'),
      maxWaiting: get('RETOUCH_QUEUE_MAX_WAITING'),
      deadlineMs: get('RETOUCH_QUEUE_DEADLINE_SECONDS') * 1000,
      workerConcurrency: get('RETOUCH_WORKER_CONCURRENCY'),
      workerPort: get('RETOUCH_WORKER_PORT'),
      lockMs: get('RETOUCH_WORKER_LOCK_SECONDS') * 1000,
      shutdownGraceMs: get('RETOUCH_SHUTDOWN_GRACE_SECONDS') * 1000,
    },
  };
}

/** The environment as Retouch sees it, secrets masked, for `retouch config`. */
export function describeEnv(env: NodeJS.ProcessEnv = process.env): Array<{ name: string; value: string; description: string }> {
  return (Object.values(ENV) as EnvVar[]).map((spec) => {
    const raw = env[spec.name]?.trim();
    const value = raw ? (spec.secret ? mask(raw) : raw) : spec.default !== undefined ? `${spec.default} (default)` : '(unset)';
    return { name: spec.name, value, description: spec.description };
  });
}

function mask(secret: string): string {
  return secret.split(',').map((s) => `${s.trim().slice(0, 5)}…`).join(',');
}
