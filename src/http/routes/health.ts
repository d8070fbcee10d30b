import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { assertReady, BLOB_PROBE } from '../../readiness.ts';

/**
 * Liveness (/health: the process answers) and readiness (/ready: the store, blob storage and the
 * queue, Redis included when shared, can be reached; 503 envelope otherwise, for load balancers).
 */
export function healthRoutes(app: FastifyInstance, services: Services) {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    await assertReady({
      store: () => services.store.countKeys(),
      blobs: () => services.blobs.get(BLOB_PROBE),
      queue: () => services.queue.check(),
    });
    return reply.header('cache-control', 'no-store').send({ status: 'ready' });
  });
}
