import { fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/** Black and white: luminance in all three channels (so later colour steps still see RGB), alpha kept. */
export const grayscale: Step = {
  name: 'grayscale',
  async run(ctx) {
    ctx.raster = await toRaster(fromRaster(current(ctx)).grayscale().toColourspace('srgb'));
  },
};
