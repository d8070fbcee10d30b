import sharp from 'sharp';
import { decodeImage, fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/**
 * Keeps the edit only where the mask is transparent: the original is laid back over the result with
 * the mask's alpha as its opacity (alpha 255 = keep the original, 0 = take the edit, between = blend).
 */
export const applyMask: Step = {
  name: 'apply-mask',
  async run(ctx) {
    const mask = ctx.request.mask;
    const original = ctx.original;
    if (!mask || !original) return;
    const edited = current(ctx);
    const maskAlpha = await toRaster(fromRaster(await decodeImage(mask, ctx.maxPixels, 'mask')).ensureAlpha().extractChannel(3));
    // Separate pipelines: sharp reorders operations, and joinChannel must come after removeAlpha.
    const rgb = await toRaster(fromRaster(original).removeAlpha());
    const overlay = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .joinChannel(maskAlpha.data, { raw: { width: maskAlpha.width, height: maskAlpha.height, channels: 1 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const blended = await toRaster(fromRaster(edited).composite([{ input: overlay, blend: 'over' }]));
    // Compositing adds an alpha channel; drop it again when the edit had none.
    ctx.raster = edited.channels === 3 && blended.channels === 4 ? await toRaster(fromRaster(blended).removeAlpha()) : blended;
  },
};
