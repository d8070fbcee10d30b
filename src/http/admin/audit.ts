import type { FastifyInstance } from 'fastify';
import { newId } from '../../ids.ts';
import type { Store } from '../../store/index.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What an admin route does, as the audit log names it (`keys.create`, `usage.export`…). */
    action?: string;
  }
  interface FastifyRequest {
    /** What an admin handler adds to its audit entry: the object it made, what it changed. */
    audit: { target?: string; detail?: Record<string, unknown> } | null;
  }
}

/**
 * Records every admin request that came with a key (who, what, on what, when, and how it ended),
 * refused ones too. Written in onSend, before the answer leaves, so an action the client has seen
 * succeed is always in the log.
 */
export function auditAdminActions(scope: FastifyInstance, store: Store): void {
  scope.addHook('onSend', async (request, reply, payload) => {
    if (!request.adminActor) return payload;
    const params = request.params as { id?: unknown } | undefined;
    const action = request.routeOptions.config.action ?? `${request.method} ${request.routeOptions.url ?? request.url}`;
    const { format } = (request.query ?? {}) as { format?: unknown };
    await store.insertAudit({
      id: newId('audit'),
      at: Date.now(),
      actor: request.adminActor,
      action: action === 'usage.read' && format === 'csv' ? 'usage.export' : action,
      target: request.audit?.target ?? (typeof params?.id === 'string' ? params.id : null),
      status: reply.statusCode,
      requestId: request.id,
      detail: request.audit?.detail ?? null,
    });
    return payload;
  });
}
