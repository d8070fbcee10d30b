import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
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

/** After an early answer, how long the client gets to read it before the socket is destroyed. */
const LINGER_MS = 2000;

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
    if (request.raw.complete === false && request.raw.socket) {
      reply.header('connection', 'close');
      lingerOnClose(request.raw.socket, request.raw);
    }
  });
}

/**
 * Closes gently: the answer and a FIN go out, reading stops (the client's writes back up against
 * TCP flow control instead of being read), and the socket is destroyed when the client hangs up or
 * after LINGER_MS. Destroying it at once, with body bytes unread, makes the kernel send a reset
 * that can overtake the answer: the client sees EPIPE or ECONNRESET instead of its 401 or 413.
 */
function lingerOnClose(socket: Socket, request: IncomingMessage) {
  // Node calls destroySoon() once an answer with `connection: close` has been written.
  socket.destroySoon = function pauseThenDestroy(this: Socket) {
    this.end();
    request.removeAllListeners('data');
    request.pause();
    this.pause();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}
