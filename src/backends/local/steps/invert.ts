import { fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/** A negative: every colour channel inverted, alpha kept. */
export const invert: Step = {
  name: 'invert',
  async run(ctx) {
    ctx.raster = await toRaster(fromRaster(current(ctx)).negate({ alpha: false }));
  },
};
