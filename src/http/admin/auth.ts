import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../errors.ts';
import type { KeyService } from '../../keys/index.ts';
import { bearerAuth } from '../auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the key that called an admin route (admin or not), for the audit log. */
    adminActor: string | null;
  }
}

/**
 * The admin routes' gate: a valid key (401 otherwise, as everywhere) that has the `admin` scope
 * (403 otherwise). An ordinary key's attempt is still noted for the audit log.
 */
export function adminAuth(keys: KeyService) {
  const bearer = bearerAuth(keys);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    await bearer(request, reply);
    request.adminActor = request.apiKeyId;
    if (!request.apiKeyScopes?.includes('admin')) {
      throw errors.forbidden('This key cannot use the admin API: it needs the admin scope (`retouch keys create --admin`, or RETOUCH_ADMIN_KEYS).');
    }
  };
}
