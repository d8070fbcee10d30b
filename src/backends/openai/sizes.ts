import type { EditRequest } from '../../edits/request.ts';
import { errors } from '../../errors.ts';

/** Families of OpenAI image models, by what their edit endpoint accepts as `size`. */
export type SizeFamily = 'gpt-image-2' | 'gpt-image' | 'dall-e-2';

export const sizeFamilyOf = (model: string): SizeFamily =>
  /^dall-e-2/.test(model) ? 'dall-e-2' : /^gpt-image-2(?![.\d])/.test(model) ? 'gpt-image-2' : 'gpt-image';

/** The fixed sizes of the families that have them (gpt-image-1, 1.5, mini and chatgpt-image-latest; dall-e-2). */
const FIXED: Record<Exclude<SizeFamily, 'gpt-image-2'>, string[]> = {
  'gpt-image': ['1024x1024', '1536x1024', '1024x1536', 'auto'],
  'dall-e-2': ['256x256', '512x512', '1024x1024'],
};

/** gpt-image-2 takes any WxH within these rules. */
const GPT_IMAGE_2 = { multiple: 16, maxRatio: 3, maxEdge: 3840, maxPixels: 3840 * 2160 };

/**
 * What `size` to send upstream, checked before the call. gpt-image-2 takes a WxH whose sides are
 * multiples of 16, at most 3:1 either way, at most 3840 on a side and 3840×2160 pixels in all
 * (2880×2880 and 2160×3840 fit); a WxH outside that is a 400 here rather than a paid round trip.
 * The fixed-size families get only a size they offer. Anything not sent (`16:9`, `2K`, an unoffered
 * WxH) is applied to the result instead (upstream/conform.ts).
 */
export function upstreamSize(request: EditRequest, model: string): string | undefined {
  const family = sizeFamilyOf(model);
  if (family !== 'gpt-image-2') {
    const raw = request.sizeRaw?.toLowerCase();
    return raw && FIXED[family].includes(raw) ? raw : undefined;
  }
  if (request.size.kind !== 'exact') return undefined;
  const { width, height } = request.size;
  const r = GPT_IMAGE_2;
  const problem = width % r.multiple || height % r.multiple ? `both sides must be multiples of ${r.multiple}`
    : Math.max(width, height) / Math.min(width, height) > r.maxRatio ? 'the aspect ratio must be between 1:3 and 3:1'
      : Math.max(width, height) > r.maxEdge ? `no side may exceed ${r.maxEdge}`
        : width * height > r.maxPixels ? 'it may hold at most 3840×2160 pixels (8,294,400)'
          : undefined;
  if (problem) throw errors.invalidValue('size', `Size ${width}x${height} is not one ${model} can make: ${problem}.`);
  return `${width}x${height}`;
}
