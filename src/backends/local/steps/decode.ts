import { decodeImage } from '../../../images/raster.ts';
import type { Step } from '../context.ts';

/** Decodes the first image (EXIF orientation applied), under the pixel cap. */
export const decode: Step = {
  name: 'decode',
  async run(ctx) {
    ctx.raster = await decodeImage(ctx.request.images[0]!, ctx.maxPixels);
    if (ctx.request.mask) ctx.original = ctx.raster;
  },
};
