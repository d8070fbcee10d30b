import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries, API and playground alike: browsers must not second-guess a
 * Content-Type (a hosted image or a JSON error is never run as a script), and no page of this
 * server sends its URL (which may be an unguessable image URL) to another site as a Referer.
 */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * Sets SECURITY_HEADERS once for every route, and closes the connection after an answer given
 * before its request body was read to the end (a 401 to an upload, a 413 or 429 on the declared
 * length, a 408): the rest of the body is not read just to keep the connection alive, which is what
 * Node would otherwise do (an unauthenticated client could make the server read 50 MB for nothing).
 */
export function responseHeaders(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    // `complete` is false while body bytes are still due (true for a request without a body).
    if (request.raw.complete === false) reply.header('connection', 'close');
  });
}
