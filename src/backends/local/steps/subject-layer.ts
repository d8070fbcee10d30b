import sharp from 'sharp';
import { fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { EngineContext } from '../context.ts';

/** The subject mask from the segment step, aligned with `image` (the current pixels). */
export function subjectOf(ctx: EngineContext, image: Raster): Raster {
  const mask = ctx.subject;
  if (!mask) throw new Error('no subject mask: the segment step must run first');
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new Error(`subject mask ${mask.width}x${mask.height} does not line up with ${image.width}x${image.height} pixels: a step moved pixels without moving the mask`);
  }
  return mask;
}

/**
 * What a background edit keeps as it is: the subject, and any border or padding the plan added
 * (a border is not the photo's background: "add a 20px border and make the background white"
 * keeps the border black). The larger of the two masks, computed by libvips.
 */
export async function keptOf(ctx: EngineContext, image: Raster): Promise<Raster> {
  const subject = subjectOf(ctx, image);
  const frame = ctx.frame;
  if (!frame) return subject;
  const kept = await toRaster(fromRaster(subject)
    .composite([{ input: frame.data, raw: { width: frame.width, height: frame.height, channels: 1 }, blend: 'lighten' }])
    .extractChannel(0));
  return kept;
}

/** The image's colours with the subject mask as alpha: the layer laid over a new background. */
async function subjectLayer(image: Raster, mask: Raster): Promise<Buffer> {
  // Separate pipelines: sharp would drop a joined alpha if removeAlpha ran in the same one.
  const rgb = image.channels === 3 ? image : await toRaster(fromRaster(image).removeAlpha());
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .joinChannel(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** The image's subject (by the mask) laid over another picture of the same size. */
export async function overNewBackground(image: Raster, mask: Raster, backdrop: Raster): Promise<Raster> {
  const layer = await subjectLayer(image, mask);
  return toRaster(fromRaster(backdrop).composite([{ input: layer, blend: 'over' }]));
}
