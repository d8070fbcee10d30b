import { fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/** Mirrors left-right (`horizontal`) or top-bottom (`vertical`). */
export function flip(axis: 'horizontal' | 'vertical'): Step {
  return {
    name: `flip(${axis})`,
    async run(ctx) {
      const p = fromRaster(current(ctx));
      // sharp's names are the other way round: flop() mirrors left-right, flip() top-bottom.
      ctx.raster = await toRaster(axis === 'horizontal' ? p.flop() : p.flip());
    },
  };
}
