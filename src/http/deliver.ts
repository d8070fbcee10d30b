import type { BlobStore } from '../blob/index.ts';
import type { ResponseFormat } from '../edits/request.ts';
import { newId } from '../ids.ts';
import type { EncodedImage } from '../images/encode.ts';

/** An image to be sent as base64 in the answer; `answerBody` writes it without a JSON string. */
export class Base64Image {
  constructor(readonly image: EncodedImage) {}
  /** The base64 text as bytes: the upstream's own when it was passed through, else encoded now. */
  text(): Buffer {
    return this.image.base64 ?? Buffer.from(this.image.bytes.toString('base64'), 'latin1');
  }
}

export type ResultEntry = { url: string; revised_prompt?: string } | { b64_json: Base64Image; revised_prompt?: string };

/**
 * The JSON answer as the buffers that make it up, each Base64Image spliced in as base64, and the
 * total length (for Content-Length).
 *
 * Why: JSON.stringify would scan and copy megabytes of base64 (which never needs escaping) into a
 * second string, and the HTTP layer would encode that to UTF-8 again; and joining the parts would
 * be one more copy. Each multi-megabyte copy is external memory that brings V8's next full GC
 * closer, which was the largest cost on the relay path (docs/performance.md).
 */
export function answerBody(answer: object): { chunks: Buffer[]; length: number } {
  const images: Base64Image[] = [];
  const token = `retouch-image-${newId('image')}-`;
  const json = JSON.stringify(answer, (_key, value: unknown) => (value instanceof Base64Image ? `${token}${images.push(value) - 1}` : value));
  const chunks: Buffer[] = [];
  let from = 0;
  for (const match of json.matchAll(new RegExp(`${token}(\\d+)`, 'g'))) {
    chunks.push(Buffer.from(json.slice(from, match.index)), images[Number(match[1])]!.text());
    from = match.index + match[0].length;
  }
  chunks.push(Buffer.from(json.slice(from)));
  return { chunks, length: chunks.reduce((n, c) => n + c.length, 0) };
}

/**
 * Turns encoded images into response entries: base64 in the body, or stored and served from /img.
 * An image object that appears several times (a deterministic backend with n > 1) is stored once.
 */
export async function deliverImages(
  images: EncodedImage[], format: ResponseFormat, blobs: BlobStore, publicBase: string, revisedPrompt?: string,
): Promise<ResultEntry[]> {
  const extra = revisedPrompt ? { revised_prompt: revisedPrompt } : {};
  if (format === 'b64_json') return images.map((img) => ({ b64_json: new Base64Image(img), ...extra }));
  const urls = new Map<EncodedImage, string>();
  for (const img of images) {
    if (urls.has(img)) continue;
    const name = `${newId('image')}.${img.format}`;
    await blobs.put(name, img.bytes);
    urls.set(img, `${publicBase}/img/${name}`);
  }
  return images.map((img) => ({ url: urls.get(img)!, ...extra }));
}
