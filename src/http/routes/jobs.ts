import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Services } from '../../app.ts';
import { parsePrefer } from '../../jobs/view.ts';
import { followJob } from './job-events.ts';

/**
 * GET and DELETE /v1/images/edits/{id}: an async job as its key sees it (another key's job is a
 * 404), with `Prefer: wait=N` on GET to wait for it to end, or followed as events (job-events.ts);
 * DELETE cancels it if it has not ended.
 */
export function jobRoutes(app: FastifyInstance, services: Services, auth: onRequestHookHandler) {
  const { jobs } = services;

  app.get<{ Params: { id: string } }>('/v1/images/edits/:id', { onRequest: auth }, async (request, reply) => {
    let job = await jobs.get(request.params.id, request.apiKeyId);
    const wait = parsePrefer(request.headers.prefer).waitSeconds;
    if (wait) {
      const abort = new AbortController();
      reply.raw.once('close', () => abort.abort());
      job = await jobs.wait(job, wait * 1000, abort.signal);
    }
    return reply.send(await jobs.view(job));
  });

  // A follower's stream lasts as long as its job: at shutdown each is ended (the client follows
  // again, or polls), so it cannot hold the server open.
  const followers = new Set<() => void>();
  app.addHook('preClose', async () => { for (const stop of followers) stop(); });
  app.get<{ Params: { id: string } }>('/v1/images/edits/:id/events', { onRequest: auth }, async (request, reply) => {
    return followJob(services, request, reply, await jobs.get(request.params.id, request.apiKeyId), followers);
  });

  app.delete<{ Params: { id: string } }>('/v1/images/edits/:id', { onRequest: auth }, async (request, reply) => {
    const job = await jobs.get(request.params.id, request.apiKeyId);
    return reply.send(await jobs.view(await jobs.cancel(job)));
  });
}
