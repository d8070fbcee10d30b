import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errors } from '../../errors.ts';
import type { Store } from '../../store/index.ts';
import { ADMIN_ERRORS, AuditList, FailureList, ListQuery, UsageAnswer, UsageQuery } from './schemas.ts';
import { auditToWire, failureToWire, usageCsv, usageRowToWire } from './wire.ts';

const HOUR = 3_600_000;
const BUCKET_MS = { hour: HOUR, day: 24 * HOUR } as const;
/** Most buckets one answer holds (about 83 days of hours): a chart needs no more, and it bounds the work. */
const MAX_BUCKETS = 2000;

/** /v1/admin/usage (JSON or CSV), /v1/admin/failures and /v1/admin/audit. */
export function adminUsageRoutes(scope: FastifyInstance, store: Store): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get('/v1/admin/usage', {
    config: { action: 'usage.read' },
    schema: {
      tags: ['admin: usage'],
      summary: 'Usage over a time range in hour or day buckets: requests, images, errors, latency percentiles, upstream tokens',
      querystring: UsageQuery,
      response: {
        200: { description: 'The usage rows (format=csv: the same rows as text/csv)', content: { 'application/json': { schema: UsageAnswer }, 'text/csv': { schema: z.string() } } },
        ...ADMIN_ERRORS,
      },
    },
  }, async (request, reply) => {
    const q = request.query;
    const bucketMs = BUCKET_MS[q.bucket];
    const to = q.to ?? Date.now();
    const from = q.from ?? to - (q.bucket === 'hour' ? 24 * HOUR : 30 * 24 * HOUR);
    if (from >= to) throw errors.invalidValue('from', '`from` must be before `to`.');
    if ((to - from) / bucketMs > MAX_BUCKETS) {
      throw errors.invalidValue('from', `That range holds more than ${MAX_BUCKETS} ${q.bucket} buckets; narrow it or use bucket=day.`);
    }
    const rows = await store.usageSeries({
      from, to, bucketMs, groupBy: q.group_by ?? null,
      ...(q.key_id ? { keyId: q.key_id } : {}), ...(q.model ? { model: q.model } : {}), ...(q.backend ? { backend: q.backend } : {}),
    });
    const data = rows.map(usageRowToWire);
    if (q.format === 'csv') {
      const name = `retouch-usage-${new Date(from).toISOString().slice(0, 10)}-${q.bucket}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(usageCsv(data));
    }
    return {
      object: 'usage' as const, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: q.bucket,
      group_by: q.group_by ?? null, data,
    };
  });

  app.get('/v1/admin/failures', {
    config: { action: 'failures.read' },
    schema: { tags: ['admin: usage'], summary: 'The latest failed requests with their error codes, newest first', querystring: ListQuery, response: { 200: FailureList, ...ADMIN_ERRORS } },
  }, async (request) => ({ object: 'list' as const, data: (await store.recentFailures(request.query.limit)).map(failureToWire) }));

  app.get('/v1/admin/audit', {
    config: { action: 'audit.read' },
    schema: { tags: ['admin: audit'], summary: 'The latest admin actions (who, what, when), newest first', querystring: ListQuery, response: { 200: AuditList, ...ADMIN_ERRORS } },
  }, async (request) => ({ object: 'list' as const, data: (await store.listAudit(request.query.limit)).map(auditToWire) }));
}
