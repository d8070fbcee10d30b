import { fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

// Rec. 709 luma weights, the same in every output channel.
const LUMA: [number, number, number] = [0.2126, 0.7152, 0.0722];

/**
 * Black and white as a colour matrix rather than sharp's grayscale(): on raw input grayscale()
 * returns a single band and drops the alpha channel, while recomb keeps RGB (for later colour
 * steps) and leaves alpha untouched.
 */
export const grayscale: Step = {
  name: 'grayscale',
  async run(ctx) {
    const r = current(ctx);
    if (r.channels < 3) return; // already one grey band (plus alpha)
    ctx.raster = await toRaster(fromRaster(r).recomb([LUMA, LUMA, LUMA]));
  },
};
