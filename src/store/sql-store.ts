import { type Kysely, sql } from 'kysely';
import type { ApiKeyRecord, AuditRecord, QuotaSpendRow, Store, TimeWindow, UsageQuery, UsageRecord, UsageSeriesRow, UsageSummaryRow } from './index.ts';
import type { Database } from './schema.ts';
import type { KeyLimits } from '../keys/limits.ts';
import { SqlJobStore } from './sql-jobs.ts';

type KeyRow = Database['api_keys'];

const toKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id, name: r.name, prefix: r.prefix, hash: r.hash,
  createdAt: Number(r.created_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  limits: r.limits ? JSON.parse(r.limits) : null, webhookSecret: r.webhook_secret,
  ...(r.scopes ? { scopes: JSON.parse(r.scopes) } : {}),
});

const toUsage = (r: Database['usage']): UsageRecord => ({
  id: r.id, requestId: r.request_id, keyId: r.key_id, model: r.model, backend: r.backend, status: Number(r.status),
  errorCode: r.error_code, inputBytes: Number(r.input_bytes), inputPixels: Number(r.input_pixels),
  outputBytes: Number(r.output_bytes), outputPixels: Number(r.output_pixels), latencyMs: Number(r.latency_ms),
  createdAt: Number(r.created_at), upstreamModel: r.upstream_model, attempts: r.attempts ? JSON.parse(r.attempts) : null,
  upstreamLatencyMs: r.upstream_latency_ms === null ? null : Number(r.upstream_latency_ms),
  inputTokens: r.input_tokens === null ? null : Number(r.input_tokens),
  outputTokens: r.output_tokens === null ? null : Number(r.output_tokens),
  images: r.images === null ? 0 : Number(r.images),
});

/** Keys per quotaSpend query: well under SQLite's and PostgreSQL's limits on bound parameters. */
const QUOTA_KEYS_PER_QUERY = 500;

const GROUP_COLUMN = { key: 'key_id', model: 'model', backend: 'backend' } as const;

/** The Store over any Kysely dialect; sqlite.ts and postgres.ts only build the connection. */
export class SqlStore extends SqlJobStore implements Store {
  constructor(readonly kind: string, db: Kysely<Database>) {
    super(db);
  }

  async insertKey(k: ApiKeyRecord) {
    await this.db.insertInto('api_keys').values({
      id: k.id, name: k.name, prefix: k.prefix, hash: k.hash, created_at: k.createdAt, revoked_at: k.revokedAt,
      limits: k.limits ? JSON.stringify(k.limits) : null, webhook_secret: k.webhookSecret ?? null,
      scopes: k.scopes?.length ? JSON.stringify(k.scopes) : null,
    }).execute();
  }

  async setWebhookSecret(id: string, secret: string) {
    const res = await this.db.updateTable('api_keys').set({ webhook_secret: secret }).where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async getKey(id: string) {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toKey(r) : null;
  }

  async rotateKey(id: string, prefix: string, hash: string) {
    const res = await this.db.updateTable('api_keys').set({ prefix, hash })
      .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
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
      input_tokens: u.inputTokens, output_tokens: u.outputTokens, images: u.images ?? 0,
    }).execute();
  }

  async usageSeries(q: UsageQuery): Promise<UsageSeriesRow[]> {
    // The bucket width is inlined as a literal (it is a validated integer), so every use of the
    // bucket expression is the same text, as PostgreSQL's grouping requires.
    const width = Math.trunc(q.bucketMs);
    if (!(width > 0)) throw new Error('usageSeries: bucketMs must be a positive integer');
    const bucket = sql`(created_at - (created_at % ${sql.lit(width)}))`;
    const column = q.groupBy ? sql.ref(GROUP_COLUMN[q.groupBy]) : undefined;
    const filters = [sql`created_at >= ${q.from}`, sql`created_at < ${q.to}`];
    if (q.keyId) filters.push(sql`key_id = ${q.keyId}`);
    if (q.model) filters.push(sql`model = ${q.model}`);
    if (q.backend) filters.push(sql`backend = ${q.backend}`);
    // Percentiles in SQL, exact, the same on SQLite (3.25+) and PostgreSQL: each record's rank by
    // latency in its cell (window functions both have), and the nearest-rank percentile p is the
    // smallest latency whose rank is at least p% of the cell's count (rn * 100 >= n * p: no ceil()).
    const { rows } = await sql<{
      bucket: number; grp: string | null; requests: number; images: number; errors: number; refusals: number;
      output_pixels: number; input_tokens: number; output_tokens: number; p50: number; p95: number; p99: number;
    }>`
      with cells as (
        select ${bucket} as bucket, ${column ?? sql`cast(null as text)`} as grp, status, images, output_pixels, input_tokens, output_tokens, latency_ms,
          row_number() over (partition by ${bucket}${column ? sql`, ${column}` : sql``} order by latency_ms) as rn,
          count(*) over (partition by ${bucket}${column ? sql`, ${column}` : sql``}) as n
        from usage where ${sql.join(filters, sql` and `)}
      )
      select bucket, grp, count(*) as requests, coalesce(sum(images), 0) as images,
        sum(case when status >= 400 then 1 else 0 end) as errors, sum(case when status = 429 then 1 else 0 end) as refusals,
        coalesce(sum(output_pixels), 0) as output_pixels, coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(output_tokens), 0) as output_tokens,
        min(case when rn * 100 >= n * 50 then latency_ms end) as p50,
        min(case when rn * 100 >= n * 95 then latency_ms end) as p95,
        min(case when rn * 100 >= n * 99 then latency_ms end) as p99
      from cells group by bucket, grp order by bucket, grp`.execute(this.db);
    return rows.map((r) => ({
      bucket: Number(r.bucket), group: r.grp ?? null, requests: Number(r.requests), images: Number(r.images),
      errors: Number(r.errors), refusals: Number(r.refusals), outputPixels: Number(r.output_pixels),
      inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens),
      latencyMs: { p50: Number(r.p50), p95: Number(r.p95), p99: Number(r.p99) },
    }));
  }

  async recentFailures(limit: number): Promise<UsageRecord[]> {
    const rows = await this.db.selectFrom('usage').selectAll().where('status', '>=', 400)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toUsage);
  }

  async insertAudit(a: AuditRecord) {
    await this.db.insertInto('audit_log').values({
      id: a.id, at: a.at, actor: a.actor, action: a.action, target: a.target, status: a.status, request_id: a.requestId,
      detail: a.detail ? JSON.stringify(a.detail) : null,
    }).execute();
  }

  async listAudit(limit: number): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id, at: Number(r.at), actor: r.actor, action: r.action, target: r.target, status: Number(r.status),
      requestId: r.request_id, detail: r.detail ? JSON.parse(r.detail) : null,
    }));
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

  async quotaSpend(keyIds: string[], { day, month }: { day: TimeWindow; month: TimeWindow }): Promise<QuotaSpendRow[]> {
    const out: QuotaSpendRow[] = [];
    // One grouped query per batch of keys over the (key_id, created_at) index: only the month's
    // records of these keys are read, however large the table.
    const answered = sql`(status < 400 or status = 499)`;
    const today = sql`(created_at >= ${day.start} and created_at < ${day.end})`;
    for (let i = 0; i < keyIds.length; i += QUOTA_KEYS_PER_QUERY) {
      const batch = keyIds.slice(i, i + QUOTA_KEYS_PER_QUERY);
      const rows = await this.db.selectFrom('usage')
        .select([
          'key_id',
          sql<number>`coalesce(sum(case when ${answered} and ${today} then coalesce(images, 0) else 0 end), 0)`.as('images_today'),
          sql<number>`coalesce(sum(case when ${answered} then coalesce(images, 0) else 0 end), 0)`.as('images_month'),
          sql<number>`coalesce(sum(output_pixels), 0)`.as('pixels_month'),
        ])
        .where('key_id', 'in', batch)
        .where('created_at', '>=', month.start)
        .where('created_at', '<', month.end)
        .groupBy('key_id')
        .execute();
      for (const r of rows) {
        out.push({ keyId: r.key_id!, imagesToday: Number(r.images_today), imagesThisMonth: Number(r.images_month), outputPixelsThisMonth: Number(r.pixels_month) });
      }
    }
    return out;
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
