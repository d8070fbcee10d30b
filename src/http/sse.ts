import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { answerBody } from './deliver.ts';

/** One Server-Sent Event as OpenAI writes it: an `event:` line, a one-line JSON `data:` line, a blank line. */
export function sseEvent(name: string, data: object): Buffer[] {
  const body = answerBody(data);
  return [Buffer.from(`event: ${name}\ndata: `), ...body.chunks, Buffer.from('\n\n')];
}

const KEEP_ALIVE = ': keep-alive\n\n';

/**
 * A `text/event-stream` answer being written: events as they come, and a comment every
 * `heartbeatMs` of silence so idle proxies do not cut it. `onSilence` hears each of those beats
 * (before the comment is written) for a door that wants to act on a silence.
 */
export class EventStream {
  readonly body = new PassThrough();
  private heartbeat: NodeJS.Timeout;

  constructor(private readonly heartbeatMs: number, private readonly onSilence?: () => void) {
    // A client gone mid-stream: the door's own close listener stops whatever feeds it.
    this.body.on('error', () => {});
    this.heartbeat = this.beat();
  }

  /** Writes one event; any event resets the heartbeat, which is only for silences. */
  send(name: string, data: object): void {
    this.write(sseEvent(name, data));
    clearInterval(this.heartbeat);
    this.heartbeat = this.beat();
  }

  end(): void {
    clearInterval(this.heartbeat);
    if (!this.body.destroyed && !this.body.writableEnded) this.body.end();
  }

  private beat(): NodeJS.Timeout {
    return setInterval(() => {
      this.onSilence?.();
      this.write(KEEP_ALIVE);
    }, this.heartbeatMs);
  }

  private write(chunks: Buffer[] | string): void {
    if (this.body.destroyed || this.body.writableEnded) return;
    for (const c of typeof chunks === 'string' ? [Buffer.from(chunks)] : chunks) this.body.write(c);
  }
}

/** Sends an event stream as the answer, with the headers that keep proxies from holding it back. */
export function sendEventStream(reply: FastifyReply, stream: EventStream, headers: Record<string, string> = {}): FastifyReply {
  reply.headers(headers);
  return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache')
    // nginx buffers proxied answers unless told not to, which would hold partials back.
    .header('x-accel-buffering', 'no').send(stream.body);
}
