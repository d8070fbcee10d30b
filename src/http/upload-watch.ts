import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors, RetouchError } from '../errors.ts';

export interface UploadTimeouts {
  /** Longest wait for the next bytes of a body. */
  idleMs: number;
  /** Longest time from a request's arrival to the last byte of its body. */
  deadlineMs: number;
}

/**
 * Bounds how long a request body may take: `idleMs` without a byte, or `deadlineMs` in all from the
 * request's arrival. Either answers 408 through the error edge, which closes the connection (the
 * body is not complete) and so releases the request's upload-memory reservation.
 *
 * Why: Fastify's requestTimeout is 0, and one reserved upload that sends nothing would hold its
 * share of RETOUCH_UPLOAD_MEMORY_MB for as long as its client kept the socket open.
 *
 * Only waits for the client count: the timer runs while a reader waits for the next chunk or part,
 * never while the server itself works on what arrived.
 */
export class UploadWatch {
  private readonly deadlineAt: number;
  /** When the client last showed progress: a byte arrived, or a reader started waiting after one. */
  private progressAt = Date.now();

  constructor(private readonly timeouts: UploadTimeouts, startedAt = Date.now()) {
    this.deadlineAt = startedAt + timeouts.deadlineMs;
  }

  /** Counts every byte that arrives on `stream` as progress (call once it is piped: a listener alone would start it flowing). */
  watchBytes(stream: NodeJS.ReadableStream): void {
    stream.on('data', () => { this.progressAt = Date.now(); });
  }

  /** `pending` (the next bytes), or a 408 when they do not come in time. */
  race<T>(pending: Promise<T>): Promise<T> {
    this.progressAt = Date.now();
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const now = Date.now();
        const deadlineLeft = this.deadlineAt - now;
        const idleLeft = this.progressAt + this.timeouts.idleMs - now;
        if (deadlineLeft <= 0) return reject(this.timeoutError(true));
        if (idleLeft <= 0) return reject(this.timeoutError(false));
        timer = setTimeout(check, Math.min(deadlineLeft, idleLeft));
      };
      check();
      pending.then(
        (v) => { clearTimeout(timer); resolve(v); },
        (e: unknown) => { clearTimeout(timer); reject(e); },
      );
    });
  }

  /**
   * The items of an async iterable (chunks, form parts), each awaited under `race`. `started` runs
   * once the first item has been asked for (when a lazy source has set itself up).
   */
  async *iterate<T>(source: AsyncIterable<T>, started?: () => void): AsyncGenerator<T> {
    const it = source[Symbol.asyncIterator]();
    try {
      let first = true;
      while (true) {
        const pending = it.next();
        if (first) { first = false; started?.(); }
        const next = await this.race(pending);
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // A reader that stops early (an error, a limit) lets the source clean up; a source still
      // waiting for bytes is closed with the connection by the error edge instead.
      void it.return?.()?.catch?.(() => {});
    }
  }

  /**
   * A pass-through stream for a body read by Fastify itself (JSON): it fails with the 408 when the
   * body stalls or runs past the deadline, and Fastify's body reader turns that into the answer.
   */
  guard(source: NodeJS.ReadableStream, answered: NodeJS.EventEmitter): Transform {
    let idle: NodeJS.Timeout | undefined;
    const guard = new Transform({
      transform(chunk, _enc, done) { arm(); done(null, chunk); },
      flush(done) { clearTimeout(idle); clearTimeout(deadline); done(); },
    });
    const fire = (deadlineFirst: boolean) => {
      clearTimeout(idle);
      clearTimeout(deadline);
      guard.destroy(this.timeoutError(deadlineFirst));
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => fire(false), this.timeouts.idleMs);
    };
    const deadline = setTimeout(() => fire(true), Math.max(0, this.deadlineAt - Date.now()));
    guard.on('close', () => { clearTimeout(idle); clearTimeout(deadline); });
    // A body nobody reads (a request refused before its body: no parser for its type, no route)
    // must not time out later with nobody to hear it: its 'error' would be unhandled and end the
    // process. Once the answer is out, the guard has nothing left to guard.
    guard.on('error', () => {});
    answered.once('close', () => guard.destroy());
    arm();
    (source as NodeJS.ReadableStream & { on(e: 'error', f: (e: Error) => void): void }).on('error', (e: Error) => guard.destroy(e));
    source.pipe(guard);
    return guard;
  }

  private timeoutError(deadlineFirst: boolean): RetouchError {
    return deadlineFirst
      ? errors.requestTimeout(`The request body did not arrive within ${seconds(this.timeouts.deadlineMs)}; the upload was stopped.`)
      : errors.requestTimeout(`The request body stalled: nothing arrived for ${seconds(this.timeouts.idleMs)}; the upload was stopped.`);
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

declare module 'fastify' {
  interface FastifyRequest {
    uploadWatch: UploadWatch | null;
  }
}

/**
 * Starts every request's watch on arrival, and guards the bodies Fastify reads itself. Multipart
 * bodies are read by the edit route, which waits on `request.uploadWatch` (multipart-form.ts).
 */
export function watchUploads(app: FastifyInstance, timeouts: UploadTimeouts) {
  app.decorateRequest('uploadWatch', null);
  app.addHook('onRequest', async (request) => {
    request.uploadWatch = new UploadWatch(timeouts);
  });
  app.addHook('preParsing', async (request, reply, payload) => {
    if (isMultipart(request) || !hasBody(request)) return payload;
    return request.uploadWatch!.guard(payload, reply.raw);
  });
}

const isMultipart = (request: FastifyRequest) => /^multipart\//i.test(request.headers['content-type'] ?? '');
const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
