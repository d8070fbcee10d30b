import sharp from 'sharp';
import { encodeOptionsOf, type EditRequest } from '../../edits/request.ts';
import { errors, RetouchError } from '../../errors.ts';
import { type EncodedImage, encodePipeline, needsFlatten, type OutputFormat } from '../../images/encode.ts';
import { sniffFormat } from '../../images/sniff.ts';
import { base64Bytes, LiftedBase64, parseJsonWithImages } from '../upstream/json-with-images.ts';
import { readSse } from '../upstream/sse.ts';
import { upstreamText } from '../upstream/errors.ts';

/** The form fields that ask an OpenAI-compatible upstream to stream its edit with partial images. */
export const streamFields = (request: EditRequest): Array<[string, string]> =>
  [['stream', 'true'], ['partial_images', String(request.partialImages)]];

/**
 * Relays an upstream's `image_edit.*` event stream as it arrives: each partial image goes to
 * `onPartial` (its base64 passed through when it already is in the requested format), and the
 * `image_edit.completed` events are returned as the body of a plain answer
 * (`{"data":[…],"usage":…}`), so the rest of the adapter treats both the same.
 *
 * An `error` event is mapped like an error status. A stream cut after its first event is a 502
 * that is not retried: a retry would send the client's partials twice.
 */
export async function relayEditStream(
  res: Response, request: EditRequest, onPartial: (image: EncodedImage) => void, opts: { provider: string; maxBytes: number },
): Promise<Buffer> {
  const completed: Buffer[] = [];
  let usage: Buffer | undefined;
  let seen = 0;
  try {
    for await (const message of readSse((res.body ?? []) as AsyncIterable<Uint8Array>, opts.maxBytes, opts.provider)) {
      seen++;
      let json: any;
      try {
        json = parseJsonWithImages(message.data, ['b64_json']);
      } catch (cause) {
        throw errors.upstreamError(`The ${opts.provider} upstream sent a malformed event.`, cause);
      }
      if (message.event === 'error' || json?.error) throw streamError(json?.error ?? json, opts.provider);
      if (json?.type === 'image_edit.partial_image') {
        const image = await partialImage(json, request);
        if (image) onPartial(image);
      } else if (json?.type === 'image_edit.completed') {
        completed.push(message.data);
        if (json.usage) usage = Buffer.from(JSON.stringify(json.usage));
      }
    }
  } catch (err) {
    if (err instanceof RetouchError || seen === 0) throw err;
    throw errors.upstreamError(`The ${opts.provider} upstream's stream broke off.`, err);
  }
  // The completed events as one answer, spliced rather than re-serialised: each holds megabytes of base64.
  const parts = [Buffer.from('{"data":['), ...completed.flatMap((c, i) => (i ? [Buffer.from(','), c] : [c])), Buffer.from(']')];
  if (usage) parts.push(Buffer.from(',"usage":'), usage);
  parts.push(Buffer.from('}'));
  return Buffer.concat(parts);
}

/** A partial image as an EncodedImage in the requested format: passed through, or re-encoded when it is not. */
async function partialImage(json: { b64_json?: unknown }, request: EditRequest): Promise<EncodedImage | undefined> {
  const bytes = base64Bytes(json.b64_json);
  const format = bytes && sniffFormat(bytes.subarray(0, 16));
  if (!bytes || !format) return undefined; // not an image: the final result still comes
  const opts = encodeOptionsOf(request);
  const meta = await sharp(bytes).metadata();
  if (format === request.outputFormat && !needsFlatten(meta.hasAlpha ? 4 : 3, opts)) {
    const base64 = json.b64_json instanceof LiftedBase64 ? json.b64_json.textOf(bytes) : undefined;
    return { bytes, format: format as OutputFormat, width: meta.width ?? 0, height: meta.height ?? 0, ...(base64 ? { base64 } : {}) };
  }
  let p = sharp(bytes);
  if (needsFlatten(meta.hasAlpha ? 4 : 3, opts)) p = p.flatten({ background: '#ffffff' });
  return encodePipeline(p, opts);
}

/** An `error` event's error object, mapped as an error status would be. */
function streamError(e: { message?: unknown; code?: unknown; type?: unknown } | undefined, provider: string): RetouchError {
  const said = typeof e?.message === 'string' ? `: ${upstreamText(e.message)}` : '';
  if (e?.code === 'moderation_blocked' || e?.type === 'image_generation_user_error') {
    return errors.moderationBlocked(`The ${provider} upstream refused this request under its safety policy${said}`);
  }
  return errors.upstreamError(`The ${provider} upstream failed while streaming${said}`);
}
