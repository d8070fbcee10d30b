import { z } from 'zod';

/**
 * The admin API's wire shapes, in zod. Routes validate requests and serialise answers with them
 * (fastify-type-provider-zod), and /openapi.json is generated from them: the document cannot drift
 * from what the server accepts. Field names are snake_case, as on the rest of the OpenAI-shaped wire.
 */

export const ErrorEnvelope = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
}).meta({ id: 'ErrorEnvelope', description: 'Every failure, as OpenAI sends it' });

/** KeyLimits on the wire; each field absent means the server default (RETOUCH_DEFAULT_*). */
export const Limits = z.object({
  rpm: z.number().int().positive().describe('Requests per minute'),
  images_per_day: z.number().int().positive().describe('Images per UTC day'),
  images_per_month: z.number().int().positive().describe('Images per UTC calendar month'),
  concurrent: z.number().int().positive().describe('Edits in flight at once'),
  megapixels_per_month: z.number().positive().describe('Spend budget: output megapixels per UTC month'),
}).partial().strict().meta({ id: 'KeyLimits' });

/** A change of limits: a number sets one, 0 or null puts it back to the server default. */
export const LimitsPatch = z.object({
  rpm: z.number().int().min(0).nullable(),
  images_per_day: z.number().int().min(0).nullable(),
  images_per_month: z.number().int().min(0).nullable(),
  concurrent: z.number().int().min(0).nullable(),
  megapixels_per_month: z.number().min(0).nullable(),
}).partial().strict().meta({ id: 'KeyLimitsPatch' });

export const ApiKey = z.object({
  object: z.literal('api_key'),
  id: z.string(),
  name: z.string().nullable(),
  /** Enough of the secret to tell keys apart; never the secret. */
  prefix: z.string(),
  created_at: z.number().int().describe('Unix seconds'),
  revoked_at: z.number().int().nullable(),
  limits: Limits.nullable(),
  scopes: z.array(z.enum(['admin'])),
}).meta({ id: 'ApiKey' });

export const ApiKeyWithSecret = ApiKey.extend({
  secret: z.string().describe('The key itself, shown this once: only its hash is kept'),
}).meta({ id: 'ApiKeyWithSecret' });

export const KeyList = z.object({ object: z.literal('list'), data: z.array(ApiKey) }).meta({ id: 'ApiKeyList' });

export const KeyId = z.object({ id: z.string().min(1).max(64) });

export const CreateKey = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  admin: z.boolean().optional().describe('An admin key: opens /v1/admin and the console'),
  limits: Limits.optional(),
}).strict().meta({ id: 'CreateKeyRequest' });

export const UpdateKey = z.object({ limits: LimitsPatch }).strict().meta({ id: 'UpdateKeyRequest' });

/** A time as ISO 8601 or milliseconds since the epoch. */
const instant = z.string().transform((v, ctx) => {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `'${v}' is not a time: use ISO 8601 (2026-01-31T12:00:00Z) or milliseconds since the epoch` });
    return z.NEVER;
  }
  return ms;
});

export const UsageQuery = z.object({
  from: instant.optional().describe('Start (inclusive); default: 24 hours (hour buckets) or 30 days (day buckets) before `to`'),
  to: instant.optional().describe('End (exclusive); default: now'),
  bucket: z.enum(['hour', 'day']).default('hour'),
  group_by: z.enum(['key', 'model', 'backend']).optional().describe('One series per key, model or backend'),
  key_id: z.string().max(64).optional(),
  model: z.string().max(200).optional(),
  backend: z.string().max(200).optional(),
  format: z.enum(['json', 'csv']).default('json').describe('csv: the same rows as a CSV download'),
});

export const UsageRow = z.object({
  bucket_start: z.string().describe('ISO 8601, UTC'),
  group: z.string().nullable().describe('The key id, model or backend of the series (with group_by)'),
  requests: z.number().int(),
  images: z.number().int(),
  errors: z.number().int().describe('Answers with status 400 or more'),
  refusals: z.number().int().describe('429s: rate limits and spent quotas'),
  latency_ms: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
  input_tokens: z.number().int().describe("The upstream's token usage"),
  output_tokens: z.number().int(),
  output_pixels: z.number().int(),
}).meta({ id: 'UsageRow' });

export const UsageAnswer = z.object({
  object: z.literal('usage'),
  from: z.string(),
  to: z.string(),
  bucket: z.enum(['hour', 'day']),
  group_by: z.enum(['key', 'model', 'backend']).nullable(),
  data: z.array(UsageRow),
}).meta({ id: 'Usage' });

export const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export const Failure = z.object({
  request_id: z.string(),
  created_at: z.number().int(),
  key_id: z.string().nullable(),
  model: z.string().nullable(),
  backend: z.string().nullable(),
  status: z.number().int(),
  error_code: z.string().nullable(),
  latency_ms: z.number(),
}).meta({ id: 'Failure' });

export const FailureList = z.object({ object: z.literal('list'), data: z.array(Failure) }).meta({ id: 'FailureList' });

export const AuditEntry = z.object({
  id: z.string(),
  at: z.number().int().describe('Unix milliseconds'),
  actor: z.string().describe('The admin key id that acted'),
  action: z.string(),
  target: z.string().nullable(),
  status: z.number().int(),
  request_id: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
}).meta({ id: 'AuditEntry' });

export const AuditList = z.object({ object: z.literal('list'), data: z.array(AuditEntry) }).meta({ id: 'AuditList' });

/** The failures every admin route can answer, for the document. */
export const ADMIN_ERRORS = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope } as const;
