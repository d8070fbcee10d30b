import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { ModelRouter } from '../../backends/router.ts';

const toOpenAI = (m: ReturnType<ModelRouter['models']>[number]) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.ownedBy });

/** GET /v1/models in OpenAI's list shape: the models this server can route. */
export function modelRoutes(app: FastifyInstance, router: ModelRouter, auth: onRequestHookHandler) {
  app.get('/v1/models', { onRequest: auth }, async () => ({ object: 'list', data: router.models().map(toOpenAI) }));
  app.get<{ Params: { id: string } }>('/v1/models/:id', { onRequest: auth }, async (request) => {
    router.resolve(request.params.id);
    return toOpenAI(router.models().find((m) => m.id === request.params.id)!);
  });
}
