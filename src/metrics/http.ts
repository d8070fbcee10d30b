import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { errors } from '../errors.ts';
import { toRetouchError } from '../http/error-envelope.ts';
import type { Metrics, MetricsAccess } from './index.ts';

/**
 * Counts every answered request in an onResponse hook (not in the handlers, so a route added later is
 * counted without knowing metrics exist). The route label is the route's template; a URL no route
 * matched is `unmatched`, so a scan of random paths adds no series.
 */
export function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const usage = request.usage;
    metrics.observeRequest({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: reply.statusCode,
      model: usage?.model,
      backend: usage?.backend,
      seconds: reply.elapsedTime / 1000,
    });
    if (reply.statusCode === 429) metrics.countRateLimited(usage?.errorCode);
    metrics.observeAttempts(usage?.attempts);
  });
}

function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GET /metrics on `app`: with a token, only for `Authorization: Bearer <token>`. */
export function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      if (!match || !sameSecret(match[1]!, token)) throw errors.invalidApiKey('GET /metrics needs "Authorization: Bearer <RETOUCH_METRICS_TOKEN>".');
    }
    const { body, contentType } = await metrics.exposition();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}

/**
 * Where /metrics lives on the API port: behind the token when one is set; nowhere when the metrics
 * have a port of their own, or when neither is configured (open metrics would tell anyone the
 * traffic and the models served).
 */
export function apiPortMetrics(app: FastifyInstance, metrics: Metrics, access: MetricsAccess): void {
  if (access.port === undefined && access.token !== undefined) return metricsRoute(app, metrics, access.token);
  app.get('/metrics', async () => {
    throw errors.notFound(access.port === undefined
      ? 'Metrics are off. Set RETOUCH_METRICS_TOKEN (then GET /metrics with that bearer token) or RETOUCH_METRICS_PORT.'
      : 'Metrics are served on their own port (RETOUCH_METRICS_PORT), not here.');
  });
}

/** The metrics port (RETOUCH_METRICS_PORT): /metrics alone, the token still required when one is set. */
export async function startMetricsServer(metrics: Metrics, access: MetricsAccess & { port: number }): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  metricsRoute(server, metrics, access.token);
  server.setErrorHandler((err, _request, reply) => {
    const e = toRetouchError(err);
    return reply.code(e.status).send(e.toEnvelope());
  });
  server.setNotFoundHandler(async () => { throw errors.notFound('Only GET /metrics is served on this port.'); });
  await server.listen({ port: access.port, host: access.host });
  return server;
}
