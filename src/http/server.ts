import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Services } from '../app.ts';
import { errors } from '../errors.ts';
import { newId } from '../ids.ts';
import { apiPortMetrics, observeRequests } from '../metrics/http.ts';
import { Redactor } from '../redact.ts';
import { bearerAuth } from './auth.ts';
import { clientErrorHandler, errorHandler, frameworkErrorHandler } from './error-edge.ts';
import { responseHeaders } from './response-headers.ts';
import { watchUploads } from './upload-watch.ts';
import { adminRoutes } from './admin/index.ts';
import { openApi } from './openapi/index.ts';
import { editRoutes } from './routes/edits.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { imageRoutes } from './routes/images.ts';
import { modelRoutes } from './routes/models.ts';
import { playgroundRoutes } from './routes/playground.ts';
import './types.ts';

/** The HTTP edge: routes, auth, and the one place errors become OpenAI envelopes. */
export async function buildServer(services: Services): Promise<FastifyInstance> {
  const { config, logger } = services;
  const redactor = Redactor.fromConfig(config);
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: () => newId('request'),
    requestIdHeader: false,
    return503OnClosing: true,
    // Lets graceful shutdown finish: idle keep-alive sockets close, in-flight requests complete.
    forceCloseConnections: 'idle',
    // HTTP framing errors (bad Content-Length, a bad chunk, headers too large) answer the envelope too.
    clientErrorHandler: clientErrorHandler(logger as FastifyBaseLogger),
    // So do URLs Fastify's router refuses (a bad escape, a path parameter longer than any id).
    frameworkErrors: frameworkErrorHandler(redactor),
    // A backstop behind UploadWatch (which answers 408 itself): Node drops a request whose body is
    // still arriving this long after it started.
    requestTimeout: config.limits.uploadDeadlineMs + 30_000,
  });
  app.decorateRequest('apiKeyId', null);
  app.decorateRequest('usage', null);
  app.decorateRequest('apiKeyLimits', null);
  app.decorateRequest('apiKeyScopes', null);
  app.decorateRequest('adminActor', null);
  app.decorateRequest('audit', null);
  app.decorateRequest('admission', null);
  app.decorateRequest('editRunning', false);
  app.decorateRequest('imagesProduced', 0);
  app.decorateRequest('promptDigest', null);
  responseHeaders(app);
  watchUploads(app, { idleMs: config.limits.uploadIdleMs, deadlineMs: config.limits.uploadDeadlineMs });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // During shutdown, answers to in-flight requests close their connection: a keep-alive socket
  // would otherwise hold server.close() open until the client's idle timeout.
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      exposedHeaders: ['x-request-id', 'x-retouch-backend', 'retry-after', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests',
        'x-ratelimit-reset-requests', 'ratelimit', 'ratelimit-policy'],
      maxAge: 600,
    });
  }
  await app.register(multipart);
  // Only multipart and JSON carry edits; a text/plain body is a client mistake, not a prompt.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler(errorHandler(redactor));
  app.setNotFoundHandler((request) => {
    throw errors.notFound(`No route for ${request.method} ${request.url.split('?')[0]}.`);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!request.usage) return;
    const outcome = { requestId: request.id, keyId: request.apiKeyId, status: reply.statusCode, latencyMs: reply.elapsedTime, usage: request.usage };
    await services.usage.record(outcome).catch((err) => {
      request.log.warn({ err }, 'could not record usage');
    });
  });

  observeRequests(app, services.metrics);
  apiPortMetrics(app, services.metrics, config.metrics);

  // Before the routes: the document is collected as each route is added.
  await openApi(app);

  const auth = bearerAuth(services.keys);
  await playgroundRoutes(app);
  healthRoutes(app, services);
  modelRoutes(app, services.router, auth);
  imageRoutes(app, services.blobs, config.imageTtlMs, config.imageUrls);
  editRoutes(app, services, auth);
  jobRoutes(app, services, auth);
  await adminRoutes(app, services);
  return app;
}
