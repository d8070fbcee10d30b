import sharp from 'sharp';
import { type EncodedImage, encodePipeline, type EncodeOptions, needsFlatten } from './encode.ts';
import { fromRaster, type Raster } from './raster.ts';

/** Longest side of a preview: enough to see the edit, a few kB to send. */
export const PREVIEW_SIDE = 256;

/** Previews are for a glance, not for keeping: lower quality keeps each partial event small. */
const PREVIEW_QUALITY = 60;

/**
 * A low-resolution preview of pixels (the local engine mid-edit) or of an encoded image (a backend
 * that does not stream), in the requested output format so a client can show it the same way as
 * the final image.
 */
export async function previewOf(source: Raster | EncodedImage, opts: EncodeOptions): Promise<EncodedImage> {
  const raster = 'data' in source;
  let p = raster ? fromRaster(source) : sharp(source.bytes);
  const channels = raster ? source.channels : 4;
  if (needsFlatten(channels, opts)) p = p.flatten({ background: '#ffffff' });
  p = p.resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: 'inside', withoutEnlargement: true });
  return encodePipeline(p, { ...opts, compression: opts.format === 'png' ? undefined : PREVIEW_QUALITY });
}
