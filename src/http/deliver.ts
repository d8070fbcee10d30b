import type { BlobStore } from '../blob/index.ts';
import type { ResponseFormat } from '../edits/request.ts';
import { newId } from '../ids.ts';
import type { EncodedImage } from '../images/encode.ts';

export type ResultEntry = { url: string; revised_prompt?: string } | { b64_json: string; revised_prompt?: string };

/**
 * Turns encoded images into response entries: base64 in the body, or stored and served from /img.
 * An image object that appears several times (a deterministic backend with n > 1) is stored once.
 */
export async function deliverImages(
  images: EncodedImage[], format: ResponseFormat, blobs: BlobStore, publicBase: string, revisedPrompt?: string,
): Promise<ResultEntry[]> {
  const extra = revisedPrompt ? { revised_prompt: revisedPrompt } : {};
  if (format === 'b64_json') return images.map((img) => ({ b64_json: img.bytes.toString('base64'), ...extra }));
  const urls = new Map<EncodedImage, string>();
  for (const img of images) {
    if (urls.has(img)) continue;
    const name = `${newId('image')}.${img.format}`;
    await blobs.put(name, img.bytes);
    urls.set(img, `${publicBase}/img/${name}`);
  }
  return images.map((img) => ({ url: urls.get(img)!, ...extra }));
}
