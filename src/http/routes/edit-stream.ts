import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { EditEvent } from '../../edits/job.ts';
import type { ScalarFields } from '../../edits/request.ts';
import type { EditOutcome } from '../../edits/service.ts';
import type { EncodedImage } from '../../images/encode.ts';
import type { Redactor } from '../../redact.ts';
import { Base64Image } from '../deliver.ts';
import { toRetouchError } from '../error-envelope.ts';
import { EventStream, sendEventStream } from '../sse.ts';

/** The fields every `image_edit.*` event carries, as OpenAI sends them. */
function eventFields(o: { background: string; quality: string }, image: EncodedImage) {
  return {
    background: o.background,
    output_format: image.format,
    quality: o.quality,
    size: `${image.width}x${image.height}`,
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** An `image_edit.partial_image` event's data, as OpenAI sends it, from the edit's partial image. */
export function partialImageEvent(e: Extract<EditEvent, { type: 'partial_image' }>) {
  return {
    type: 'image_edit.partial_image', b64_json: new Base64Image(e.image), partial_image_index: e.index, ...eventFields(e, e.image),
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
  let opened = false;
  let open!: () => void;
  const opening = new Promise<void>((resolve) => { open = () => { opened = true; resolve(); }; });
  const stream = new EventStream(opts.heartbeatMs, () => open());
  let headers: Record<string, string> = {};

  const onEvent = (e: EditEvent) => {
    if (e.type !== 'partial_image') return;
    open();
    stream.send('image_edit.partial_image', partialImageEvent(e));
  };
  const completed = { background: fields.background, quality: fields.extra.quality ?? 'auto' };
  const done = run(onEvent).then((outcome) => {
    headers = outcome.headers;
    open();
    for (const entry of outcome.answer.data) {
      if (!('b64_json' in entry)) continue; // the door asked for b64_json; see edits.ts
      stream.send('image_edit.completed', {
        type: 'image_edit.completed', b64_json: entry.b64_json, ...eventFields(completed, entry.b64_json.image),
        usage: outcome.answer.usage ?? NO_TOKENS,
      });
    }
  }, (err: unknown) => {
    if (!opened) throw err; // nothing sent yet: the error handler answers with the right status
    const e = toRetouchError(err);
    if (e.status >= 500) opts.log.error({ err: e.cause ?? e }, 'stream failed');
    else opts.log.info({ code: e.code, status: e.status }, 'stream ended with an error event');
    const envelope = opts.redactor.redactEnvelope(e.toEnvelope());
    stream.send('error', { type: 'error', ...envelope });
  }).finally(() => stream.end());
  done.catch(() => {}); // raced below; a rejection is rethrown there
  await Promise.race([opening, done]);
  return sendEventStream(reply, stream, headers);
}
