import sharp from 'sharp';
import { errors } from '../../../errors.ts';
import { decodeImage, fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { EngineContext, Step } from '../context.ts';

/**
 * Where the client's mask lets the edit change pixels, at the image's size: one band, 255 where the
 * mask's alpha is 0 (edit), 0 where it is 255 (keep). Runs before the image is decoded, so a mask
 * opaque everywhere (nothing left to edit, whatever the prompt) is a 400 before any edit, rather
 * than the image back unchanged as a 200.
 */
export const editableArea: Step = {
  name: 'editable-area',
  async run(ctx) {
    const upload = ctx.request.mask;
    if (!upload) return;
    const { width, height } = ctx.request.images[0]!;
    const mask = await decodeImage(upload, ctx.maxPixels, 'mask');
    // Separate pipelines: sharp would resize before extracting the alpha in one.
    const alpha = await toRaster(fromRaster(mask).ensureAlpha().extractChannel(3));
    const editable = await toRaster(fromRaster(alpha).resize(width, height, { fit: 'fill' }).extractChannel(0).negate());
    if ((await fromRaster(editable).stats()).channels[0]!.max === 0) {
      throw errors.invalidMask('The mask is opaque everywhere, so it leaves nothing to edit: make the area to edit transparent (alpha 0).');
    }
    ctx.editable = { ...editable, channels: 1 };
  },
};

/** The client's editable area (see editableArea), which the mask step ran to make. */
export function editableOf(ctx: EngineContext): Raster & { channels: 1 } {
  if (!ctx.editable) throw new Error('no editable area: the editable-area step must run first');
  return ctx.editable;
}

/**
 * How much of an overlay's ink (an SVG as large as the image) falls where the mask lets it be
 * drawn, from 0 to 1: libvips multiplies the ink's alpha by the editable area and compares means.
 */
export async function shareInside(editable: Raster, svg: string): Promise<number> {
  const ink = await toRaster(sharp(Buffer.from(svg)).ensureAlpha().extractChannel(3));
  const inkMean = (await fromRaster(ink).stats()).channels[0]!.mean;
  if (inkMean === 0) return 1;
  // stats() reads a pipeline's input, not its result: the product is made first, then measured.
  const product = await toRaster(fromRaster(ink)
    .composite([{ input: editable.data, raw: { width: editable.width, height: editable.height, channels: 1 }, blend: 'multiply' }])
    .extractChannel(0));
  return (await fromRaster(product).stats()).channels[0]!.mean / inkMean;
}
