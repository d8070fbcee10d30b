import { type Kysely, sql } from 'kysely';
import type { ApiKeyRecord, Store, UsageRecord, UsageSummaryRow } from './index.ts';
import type { Database } from './schema.ts';
import type { KeyLimits } from '../keys/limits.ts';
import { SqlJobStore } from './sql-jobs.ts';

type KeyRow = Database['api_keys'];

const toKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id, name: r.name, prefix: r.prefix, hash: r.hash,
  createdAt: Number(r.created_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  limits: r.limits ? JSON.parse(r.limits) : null, webhookSecret: r.webhook_secret,
});

const toUsage = (r: Database['usage']): UsageRecord => ({
  id: r.id, requestId: r.request_id, keyId: r.key_id, model: r.model, backend: r.backend, status: Number(r.status),
  errorCode: r.error_code, inputBytes: Number(r.input_bytes), inputPixels: Number(r.input_pixels),
  outputBytes: Number(r.output_bytes), outputPixels: Number(r.output_pixels), latencyMs: Number(r.latency_ms),
  createdAt: Number(r.created_at), upstreamModel: r.upstream_model, attempts: r.attempts ? JSON.parse(r.attempts) : null,
  upstreamLatencyMs: r.upstream_latency_ms === null ? null : Number(r.upstream_latency_ms),
  inputTokens: r.input_tokens === null ? null : Number(r.input_tokens),
  outputTokens: r.output_tokens === null ? null : Number(r.output_tokens),
});

/** The Store over any Kysely dialect; sqlite.ts and postgres.ts only build the connection. */
export class SqlStore extends SqlJobStore implements Store {
  constructor(readonly kind: string, db: Kysely<Database>) {
    super(db);
  }

  async insertKey(k: ApiKeyRecord) {
    await this.db.insertInto('api_keys').values({
      id: k.id, name: k.name, prefix: k.prefix, hash: k.hash, created_at: k.createdAt, revoked_at: k.revokedAt,
      limits: k.limits ? JSON.stringify(k.limits) : null, webhook_secret: k.webhookSecret ?? null,
    }).execute();
  }

  async setWebhookSecret(id: string, secret: string) {
    const res = await this.db.updateTable('api_keys').set({ webhook_secret: secret }).where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async updateKeyLimits(id: string, limits: KeyLimits | null) {
    const res = await this.db.updateTable('api_keys').set({ limits: limits ? JSON.stringify(limits) : null })
      .where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async findKeysByPrefix(prefix: string) {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).execute();
    return rows.map(toKey);
  }

  async listKeys() {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: number) {
    const res = await this.db.updateTable('api_keys').set({ revoked_at: at })
      .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async countKeys() {
    const row = await this.db.selectFrom('api_keys').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertUsage(u: UsageRecord) {
    await this.db.insertInto('usage').values({
      id: u.id, request_id: u.requestId, key_id: u.keyId, model: u.model, backend: u.backend, status: u.status,
      error_code: u.errorCode, input_bytes: u.inputBytes, input_pixels: u.inputPixels, output_bytes: u.outputBytes,
      output_pixels: u.outputPixels, latency_ms: Math.round(u.latencyMs), created_at: u.createdAt,
      upstream_model: u.upstreamModel, attempts: u.attempts ? JSON.stringify(u.attempts) : null,
      upstream_latency_ms: u.upstreamLatencyMs === null ? null : Math.round(u.upstreamLatencyMs),
      input_tokens: u.inputTokens, output_tokens: u.outputTokens,
    }).execute();
  }

  async usageForRequest(requestId: string): Promise<UsageRecord | null> {
    const r = await this.db.selectFrom('usage').selectAll().where('request_id', '=', requestId).executeTakeFirst();
    return r ? toUsage(r) : null;
  }

  async usageForKey(keyId: string, limit: number): Promise<UsageRecord[]> {
    const rows = await this.db.selectFrom('usage').selectAll().where('key_id', '=', keyId)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toUsage);
  }

  async summarizeUsage(since: number): Promise<UsageSummaryRow[]> {
    const rows = await this.db.selectFrom('usage')
      .select([
        'model', 'backend',
        sql<number>`count(*)`.as('requests'),
        sql<number>`sum(case when status >= 400 then 1 else 0 end)`.as('errors'),
        sql<number>`sum(input_bytes)`.as('input_bytes'),
        sql<number>`sum(output_bytes)`.as('output_bytes'),
        sql<number>`sum(output_pixels)`.as('output_pixels'),
        sql<number>`avg(latency_ms)`.as('avg_latency_ms'),
        sql<number>`coalesce(sum(input_tokens), 0)`.as('input_tokens'),
        sql<number>`coalesce(sum(output_tokens), 0)`.as('output_tokens'),
      ])
      .where('created_at', '>=', since)
      .groupBy(['model', 'backend'])
      .orderBy('model')
      .execute();
    return rows.map((r) => ({
      model: r.model, backend: r.backend, requests: Number(r.requests), errors: Number(r.errors),
      inputBytes: Number(r.input_bytes), outputBytes: Number(r.output_bytes), outputPixels: Number(r.output_pixels),
      avgLatencyMs: Number(r.avg_latency_ms), inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens),
    }));
  }

  async close() {
    await this.db.destroy();
  }
}
