import { z } from 'zod';
import { gemini } from '../backends/gemini/provider.ts';
import { openai } from '../backends/openai/provider.ts';

/**
 * Every environment variable Retouch reads, declared once with its type, default and a line that says
 * what it does. `loadConfig` validates all of them at start-up; `retouch config` prints them.
 */
export interface EnvVar {
  name: string;
  description: string;
  default?: string;
  secret?: boolean;
  schema: z.ZodType;
}

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().positive();
const positiveInt = z.coerce.number().int().positive();
const list = z.string().transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean));
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

export const ENV = {
  PORT: { name: 'PORT', default: '8080', description: 'TCP port to listen on', schema: port },
  HOST: { name: 'HOST', default: '0.0.0.0', description: 'Address to listen on', schema: z.string().min(1) },
  RETOUCH_DATA_DIR: {
    name: 'RETOUCH_DATA_DIR', default: './data',
    description: 'Where the SQLite database and hosted result images live', schema: z.string().min(1),
  },
  RETOUCH_PUBLIC_URL: {
    name: 'RETOUCH_PUBLIC_URL',
    description: 'Base of result URLs (e.g. https://img.example.com); default: the request\'s own host',
    schema: httpUrl,
  },
  RETOUCH_MAX_UPLOAD_MB: {
    name: 'RETOUCH_MAX_UPLOAD_MB', default: '50',
    description: 'Largest accepted file, and largest request body, in MiB', schema: positive,
  },
  RETOUCH_UPLOAD_MEMORY_MB: {
    name: 'RETOUCH_UPLOAD_MEMORY_MB', default: '256',
    description: 'Request bodies held in memory at once, in MiB, across all requests; beyond it a request gets 429 with retry-after before its body is read',
    schema: positive,
  },
  RETOUCH_UPLOAD_IDLE_SECONDS: {
    name: 'RETOUCH_UPLOAD_IDLE_SECONDS', default: '30',
    description: 'A request body that sends nothing for this long is answered 408 and its upload memory released',
    schema: z.coerce.number().positive().max(3600),
  },
  RETOUCH_UPLOAD_DEADLINE_SECONDS: {
    name: 'RETOUCH_UPLOAD_DEADLINE_SECONDS', default: '300',
    description: 'Time allowed to receive a whole request body, however steadily it arrives; then 408',
    schema: z.coerce.number().positive().max(86400),
  },
  RETOUCH_MAX_INPUT_MEGAPIXELS: {
    name: 'RETOUCH_MAX_INPUT_MEGAPIXELS', default: '50',
    description: 'Largest accepted image in megapixels, read from the header before decoding', schema: positive,
  },
  RETOUCH_MAX_IMAGES: {
    name: 'RETOUCH_MAX_IMAGES', default: '16', description: 'Most images accepted in one request',
    schema: positiveInt.max(64),
  },
  RETOUCH_IMAGE_TTL_HOURS: {
    name: 'RETOUCH_IMAGE_TTL_HOURS', default: '24',
    description: 'How long hosted result images are kept (at least 1)', schema: z.coerce.number().min(1),
  },
  RETOUCH_API_KEYS: {
    name: 'RETOUCH_API_KEYS', secret: true,
    description: 'Comma-separated static API keys, in addition to keys made with `retouch keys create`',
    schema: list.pipe(z.array(z.string().min(8, 'each key needs at least 8 characters'))),
  },
  RETOUCH_ADMIN_KEYS: {
    name: 'RETOUCH_ADMIN_KEYS', secret: true,
    description: 'Comma-separated static admin keys for /v1/admin and the console, in addition to keys made with `retouch keys create --admin`',
    schema: list.pipe(z.array(z.string().min(16, 'each admin key needs at least 16 characters'))),
  },
  RETOUCH_METRICS_TOKEN: {
    name: 'RETOUCH_METRICS_TOKEN', secret: true,
    description: 'Serves GET /metrics (Prometheus) on the API port to requests with "Authorization: Bearer <token>"; also required on RETOUCH_METRICS_PORT when set',
    schema: z.string().min(16, 'needs at least 16 characters'),
  },
  RETOUCH_METRICS_PORT: {
    name: 'RETOUCH_METRICS_PORT',
    description: 'Serves GET /metrics on this port of its own (and not on the API port); default: metrics only with RETOUCH_METRICS_TOKEN', schema: port,
  },
  RETOUCH_METRICS_HOST: {
    name: 'RETOUCH_METRICS_HOST', default: '127.0.0.1', description: 'Address the metrics port listens on', schema: z.string().min(1),
  },
  RETOUCH_CORS_ORIGINS: {
    name: 'RETOUCH_CORS_ORIGINS',
    description: 'Comma-separated origins allowed to call the API from a browser, or * for any; default none',
    schema: list,
  },
  RETOUCH_REMOTE_IMAGES: {
    name: 'RETOUCH_REMOTE_IMAGES', default: 'false',
    description: 'Fetch https:// image URLs given in JSON bodies (public addresses only)', schema: bool,
  },
  RETOUCH_STREAM_HEARTBEAT_SECONDS: {
    name: 'RETOUCH_STREAM_HEARTBEAT_SECONDS', default: '15',
    description: 'A streaming answer (stream=true) sends an SSE comment this often while nothing else is sent, so idle proxies keep it open',
    schema: z.coerce.number().positive().max(300),
  },
  RETOUCH_WEBHOOK_ALLOW_PRIVATE: {
    name: 'RETOUCH_WEBHOOK_ALLOW_PRIVATE', default: 'false',
    description: 'Let webhooks reach loopback and private addresses; for development and tests only (default: public addresses only)', schema: bool,
  },
  RETOUCH_WEBHOOK_SECRET: {
    name: 'RETOUCH_WEBHOOK_SECRET', secret: true,
    description: 'Signs the webhooks of keys from RETOUCH_API_KEYS (keys made with `retouch keys create` have their own): whsec_ and base64 of 24 to 64 random bytes',
    schema: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be whsec_ followed by base64 of 24 to 64 random bytes, e.g. whsec_$(openssl rand -base64 32)'),
  },
  RETOUCH_CACHE_MB: {
    name: 'RETOUCH_CACHE_MB', default: '64',
    description: 'Memory for cached local-engine results (same image, prompt and output: the stored answer, x-retouch-cache: hit); 0 turns the cache off',
    schema: z.coerce.number().min(0),
  },
  RETOUCH_CACHE_TTL_MINUTES: {
    name: 'RETOUCH_CACHE_TTL_MINUTES', default: '60', description: 'How long a cached local-engine result is served', schema: positive,
  },
  RETOUCH_LOCAL_CONCURRENCY: {
    name: 'RETOUCH_LOCAL_CONCURRENCY',
    description: 'Local-engine edits run at once (default: the number of CPU cores)', schema: positiveInt.max(256),
  },
  RETOUCH_LOCAL_QUEUE: {
    name: 'RETOUCH_LOCAL_QUEUE', default: '32',
    description: 'Local-engine edits allowed to wait; beyond this a request gets 429 with retry-after', schema: z.coerce.number().int().min(0).max(10000),
  },
  RETOUCH_LOCAL_TIMEOUT_SECONDS: {
    name: 'RETOUCH_LOCAL_TIMEOUT_SECONDS', default: '120',
    description: 'Deadline of one local-engine edit, queue wait included; past it the edit stops between steps (504)',
    schema: z.coerce.number().positive().max(3600),
  },
  RETOUCH_SEGMENTER: {
    name: 'RETOUCH_SEGMENTER', default: 'auto',
    description: 'Subject segmenter: auto (IS-Net if installed, else GrabCut), isnet or grabcut', schema: z.enum(['auto', 'isnet', 'grabcut']),
  },
  RETOUCH_SEGMENTATION_MODEL: {
    name: 'RETOUCH_SEGMENTATION_MODEL',
    description: 'Path of an ONNX segmentation model with IS-Net\'s input and output, used instead of the built-in ones', schema: z.string().min(1),
  },
  RETOUCH_SEGMENT_SIDE: {
    name: 'RETOUCH_SEGMENT_SIDE', default: '640',
    description: 'Side of the square an ONNX segmenter sees, a multiple of 32 from 320 to 1024 (IS-Net is made for 1024; memory per background edit grows with its square)',
    schema: z.coerce.number().int().min(320).max(1024).refine((n) => n % 32 === 0, 'must be a multiple of 32'),
  },
  RETOUCH_CONFIG: {
    name: 'RETOUCH_CONFIG',
    description: 'Path of a YAML (or JSON) file declaring upstream providers and model routes', schema: z.string().min(1),
  },
  OPENAI_API_KEY: {
    name: 'OPENAI_API_KEY', secret: true,
    description: 'Enables the `openai` provider (gpt-image-*, dall-e-2) with this key', schema: z.string().min(1),
  },
  OPENAI_BASE_URL: {
    name: 'OPENAI_BASE_URL', default: openai.defaultBaseUrl({}),
    description: 'Base URL of the `openai` provider (any OpenAI-compatible relay)', schema: httpUrl,
  },
  GEMINI_API_KEY: {
    name: 'GEMINI_API_KEY', secret: true,
    description: 'Enables the `gemini` provider (nano banana models) with this key', schema: z.string().min(1),
  },
  GEMINI_BASE_URL: {
    name: 'GEMINI_BASE_URL', default: gemini.defaultBaseUrl({}),
    description: 'Base URL of the `gemini` provider', schema: httpUrl,
  },
  RETOUCH_DATABASE_URL: {
    name: 'RETOUCH_DATABASE_URL', secret: true,
    description: 'postgres://user:pass@host:5432/db (optional ?schema=name) to keep keys and usage in PostgreSQL; default: SQLite in the data dir',
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
  },
  RETOUCH_S3_BUCKET: {
    name: 'RETOUCH_S3_BUCKET', description: 'Keep hosted images in this S3 (or S3-compatible) bucket; default: files in the data dir',
    schema: z.string().min(3),
  },
  RETOUCH_S3_ENDPOINT: {
    name: 'RETOUCH_S3_ENDPOINT', description: 'Endpoint of an S3-compatible service (MinIO, R2, …); default: AWS', schema: httpUrl,
  },
  RETOUCH_S3_REGION: { name: 'RETOUCH_S3_REGION', default: 'us-east-1', description: 'Region of the bucket', schema: z.string().min(1) },
  RETOUCH_S3_FORCE_PATH_STYLE: {
    name: 'RETOUCH_S3_FORCE_PATH_STYLE', default: 'false',
    description: 'Address the bucket as endpoint/bucket/key (MinIO and most S3-compatible servers need it)', schema: bool,
  },
  RETOUCH_S3_PREFIX: {
    name: 'RETOUCH_S3_PREFIX', default: 'img/',
    description: 'Key prefix of hosted images in the bucket (a CDN in RETOUCH_PUBLIC_URL serves <url>/img/<name> from prefix img/)',
    schema: z.string(),
  },
  RETOUCH_S3_REQUEST_CHECKSUM: {
    name: 'RETOUCH_S3_REQUEST_CHECKSUM',
    description: 'when_supported or when_required (for servers that store the SDK\'s checksum framing, e.g. s3rver); default: AWS_REQUEST_CHECKSUM_CALCULATION or the SDK\'s',
    schema: z.enum(['when_supported', 'when_required']),
  },
  AWS_ACCESS_KEY_ID: { name: 'AWS_ACCESS_KEY_ID', secret: true, description: 'S3 access key; default: the AWS SDK\'s credential chain', schema: z.string().min(1) },
  AWS_SECRET_ACCESS_KEY: { name: 'AWS_SECRET_ACCESS_KEY', secret: true, description: 'S3 secret key', schema: z.string().min(1) },
  RETOUCH_IMAGE_URLS: {
    name: 'RETOUCH_IMAGE_URLS', default: 'proxy',
    description: 'With S3: proxy (each node streams /img/<name> from the bucket) or presigned (/img/<name> redirects to a presigned URL)',
    schema: z.enum(['proxy', 'presigned']),
  },
  RETOUCH_REDIS_URL: {
    name: 'RETOUCH_REDIS_URL', secret: true,
    description: 'redis://host:6379/<db> for rate limits, quotas and provider concurrency shared by every node; default: in this process',
    schema: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'),
  },
  RETOUCH_REDIS_PREFIX: {
    name: 'RETOUCH_REDIS_PREFIX', default: 'retouch:',
    description: 'Prefix of every Redis key, so several deployments can share one Redis', schema: z.string(),
  },
  RETOUCH_QUEUE: {
    name: 'RETOUCH_QUEUE', default: 'inline',
    description: 'Where edits run: inline (in this process) or bullmq (on `retouch worker` processes, through Redis; needs RETOUCH_REDIS_URL)',
    schema: z.enum(['inline', 'bullmq']),
  },
  RETOUCH_QUEUE_MAX_WAITING: {
    name: 'RETOUCH_QUEUE_MAX_WAITING', default: '64',
    description: 'With bullmq: edits allowed to wait for a worker across the cluster (a few dozen per worker); beyond it a request gets 429 with retry-after',
    schema: z.coerce.number().int().min(1).max(100000),
  },
  RETOUCH_QUEUE_DEADLINE_SECONDS: {
    name: 'RETOUCH_QUEUE_DEADLINE_SECONDS', default: '360',
    description: 'With bullmq: deadline of one edit, queue wait included; past it the job is cancelled and the client gets 504',
    schema: z.coerce.number().positive().max(86400),
  },
  RETOUCH_WORKER_CONCURRENCY: {
    name: 'RETOUCH_WORKER_CONCURRENCY', default: '8',
    description: 'Jobs one `retouch worker` runs at once (local-engine work is further bounded by RETOUCH_LOCAL_CONCURRENCY)',
    schema: positiveInt.max(1000),
  },
  RETOUCH_WORKER_PORT: {
    name: 'RETOUCH_WORKER_PORT', default: '8090',
    description: 'Port of a worker\'s /health and /ready listener (0: any free port)', schema: port,
  },
  RETOUCH_WORKER_LOCK_SECONDS: {
    name: 'RETOUCH_WORKER_LOCK_SECONDS', default: '30',
    description: 'A job whose worker stops renewing its lock this long (a killed worker) is picked up again by another',
    schema: z.coerce.number().min(2).max(3600),
  },
  RETOUCH_SHUTDOWN_GRACE_SECONDS: {
    name: 'RETOUCH_SHUTDOWN_GRACE_SECONDS', default: '30',
    description: 'Inline queue: how long SIGTERM lets async jobs running in this process finish; the rest end failed (job_interrupted) at once',
    schema: z.coerce.number().min(0).max(3600),
  },
  RETOUCH_DEFAULT_RPM: {
    name: 'RETOUCH_DEFAULT_RPM', description: 'Requests per minute per key, for keys without their own limit; default: unlimited', schema: positiveInt,
  },
  RETOUCH_DEFAULT_IMAGES_PER_DAY: {
    name: 'RETOUCH_DEFAULT_IMAGES_PER_DAY', description: 'Images per UTC day per key, for keys without their own quota; default: unlimited', schema: positiveInt,
  },
  RETOUCH_DEFAULT_IMAGES_PER_MONTH: {
    name: 'RETOUCH_DEFAULT_IMAGES_PER_MONTH', description: 'Images per UTC calendar month per key, for keys without their own quota; default: unlimited', schema: positiveInt,
  },
  RETOUCH_DEFAULT_CONCURRENT_EDITS: {
    name: 'RETOUCH_DEFAULT_CONCURRENT_EDITS', description: 'Edits in flight at once per key, for keys without their own limit; default: unlimited', schema: positiveInt,
  },
  RETOUCH_DEFAULT_MEGAPIXELS_PER_MONTH: {
    name: 'RETOUCH_DEFAULT_MEGAPIXELS_PER_MONTH',
    description: 'Spend budget: output megapixels per UTC month per key, for keys without their own; default: unlimited', schema: positive,
  },
  RETOUCH_LOG_LEVEL: {
    name: 'RETOUCH_LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
} satisfies Record<string, EnvVar>;

export type EnvName = keyof typeof ENV;
export type EnvValues = { [K in EnvName]: z.output<(typeof ENV)[K]['schema']> | undefined };
