import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { EditEvent } from '../../edits/job.ts';
import type { ScalarFields } from '../../edits/request.ts';
import type { EditOutcome } from '../../edits/service.ts';
import type { EncodedImage } from '../../images/encode.ts';
import type { Redactor } from '../../redact.ts';
import { answerBody, Base64Image } from '../deliver.ts';
import { toRetouchError } from '../error-envelope.ts';

/** One Server-Sent Event as OpenAI writes it: an `event:` line, a one-line JSON `data:` line, a blank line. */
function sseEvent(name: string, data: object): Buffer[] {
  const body = answerBody(data);
  return [Buffer.from(`event: ${name}\ndata: `), ...body.chunks, Buffer.from('\n\n')];
}

/** The fields every `image_edit.*` event carries, as OpenAI sends them. */
function eventFields(fields: ScalarFields, image: EncodedImage) {
  return {
    background: fields.background,
    output_format: image.format,
    quality: fields.extra.quality ?? 'auto',
    size: `${image.width}x${image.height}`,
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** OpenAI reports token usage on `image_edit.completed`; an edit that used no tokens (the local engine) says so. */
const NO_TOKENS = { input_tokens: 0, input_tokens_details: { image_tokens: 0, text_tokens: 0 }, output_tokens: 0, total_tokens: 0 };

export interface StreamOptions {
  heartbeatMs: number;
  redactor: Redactor;
  log: FastifyBaseLogger;
}

/**
 * The streaming door (`stream=true`): the edit's partial images as `image_edit.partial_image`
 * events, then one `image_edit.completed` per image, as the OpenAI API streams edits.
 *
 * The answer's headers wait for the first thing worth sending (a partial, the result, or the first
 * heartbeat): an edit refused early (a bad prompt, an unknown model) still gets its envelope with
 * the right status. Once the stream is open, a failure is an `error` event, which the SDKs raise.
 * While nothing else is sent, an SSE comment every `heartbeatMs` keeps idle proxies from cutting it.
 */
export async function streamEdit(
  reply: FastifyReply, fields: ScalarFields, run: (onEvent: (e: EditEvent) => void) => Promise<EditOutcome>, opts: StreamOptions,
): Promise<FastifyReply> {
  const out = new PassThrough();
  out.on('error', () => {}); // a client gone mid-stream: the edit is aborted by the run's own close listener
  const write = (chunks: Buffer[] | string) => {
    if (out.destroyed) return;
    for (const c of typeof chunks === 'string' ? [Buffer.from(chunks)] : chunks) out.write(c);
  };
  let opened = false;
  let open!: () => void;
  const opening = new Promise<void>((resolve) => { open = () => { opened = true; resolve(); }; });
  let heartbeat = setInterval(() => { open(); write(': keep-alive\n\n'); }, opts.heartbeatMs);
  // Any event resets the heartbeat: it is only for silences.
  const sent = () => { clearInterval(heartbeat); heartbeat = setInterval(() => write(': keep-alive\n\n'), opts.heartbeatMs); };
  let headers: Record<string, string> = {};

  const onEvent = (e: EditEvent) => {
    if (e.type !== 'partial_image') return;
    open();
    sent();
    write(sseEvent('image_edit.partial_image', {
      type: 'image_edit.partial_image', b64_json: new Base64Image(e.image), partial_image_index: e.index, ...eventFields(fields, e.image),
    }));
  };
  const done = run(onEvent).then((outcome) => {
    headers = outcome.headers;
    open();
    for (const entry of outcome.answer.data) {
      if (!('b64_json' in entry)) continue; // the door asked for b64_json; see edits.ts
      write(sseEvent('image_edit.completed', {
        type: 'image_edit.completed', b64_json: entry.b64_json, ...eventFields(fields, entry.b64_json.image),
        usage: outcome.answer.usage ?? NO_TOKENS,
      }));
    }
  }, (err: unknown) => {
    if (!opened) throw err; // nothing sent yet: the error handler answers with the right status
    const e = toRetouchError(err);
    if (e.status >= 500) opts.log.error({ err: e.cause ?? e }, 'stream failed');
    else opts.log.info({ code: e.code, status: e.status }, 'stream ended with an error event');
    const envelope = opts.redactor.redactEnvelope(e.toEnvelope());
    write(sseEvent('error', { type: 'error', ...envelope }));
  }).finally(() => {
    clearInterval(heartbeat);
    if (opened) out.end();
  });
  done.catch(() => {}); // raced below; a rejection is rethrown there
  await Promise.race([opening, done]);
  reply.headers(headers);
  return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache')
    // nginx buffers proxied answers unless told not to, which would hold partials back.
    .header('x-accel-buffering', 'no').send(out);
}
