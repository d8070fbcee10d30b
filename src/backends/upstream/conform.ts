import { type EditRequest, encodeOptionsOf } from '../../edits/request.ts';
import { targetDimensions } from '../../edits/size.ts';
import { errors, RetouchError } from '../../errors.ts';
import { type EncodedImage, encodeRaster, needsFlatten } from '../../images/encode.ts';
import { probeImage } from '../../images/input.ts';
import { keepOriginalOutsideMask } from '../../images/blend.ts';
import { coverFit, decodeImage } from '../../images/raster.ts';
import type { LiftedBase64 } from './json-with-images.ts';

/**
 * Makes an upstream's image honour the same contract as a local result: the requested output
 * format, exact `size`, an opaque background when asked, and the mask (edits outside it are undone,
 * since Gemini has no masks and GPT image models treat them as a hint). When the bytes already are
 * what the client asked for, they pass through untouched (no decode, no re-encode).
 */
export async function conformImage(bytes: Buffer, request: EditRequest, maxPixels: number, provider: string, lifted?: LiftedBase64): Promise<EncodedImage> {
  let probed;
  try {
    probed = await probeImage(bytes, maxPixels, 'image');
  } catch (err) {
    if (err instanceof RetouchError) throw errors.upstreamError(`The ${provider} upstream returned something that is not a usable image.`, err);
    throw err;
  }
  const target = targetDimensions(request.size, probed.width, probed.height);
  const sameSize = target.width === probed.width && target.height === probed.height;
  const opts = encodeOptionsOf(request);
  if (probed.format === request.outputFormat && sameSize && !needsFlatten(probed.hasAlpha ? 4 : 3, opts) && !request.mask && request.outputCompression === undefined) {
    // Passed through: the upstream's own base64 text can go to the client too, unencoded again.
    const base64 = lifted?.textOf(bytes);
    return { bytes, format: probed.format, width: probed.width, height: probed.height, ...(base64 ? { base64 } : {}) };
  }
  let raster = await decodeImage(probed, maxPixels);
  if (!sameSize) {
    raster = await coverFit(raster, target.width, target.height);
  }
  if (request.mask) {
    const original = await decodeImage(request.images[0]!, maxPixels);
    raster = await keepOriginalOutsideMask(raster, original, request.mask, maxPixels);
  }
  return encodeRaster(raster, opts);
}
