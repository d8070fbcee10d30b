import { fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/** Saturation as a multiplier (sharp's LCh modulate: hue and lightness kept). */
export const saturation = (factor: number): Step => ({
  name: 'saturation',
  async run(ctx) {
    ctx.raster = await toRaster(fromRaster(current(ctx)).modulate({ saturation: factor }));
  },
});

/** Rotates every hue by some degrees, keeping lightness and saturation. */
export const hue = (degrees: number): Step => ({
  name: 'hue',
  async run(ctx) {
    ctx.raster = await toRaster(fromRaster(current(ctx)).modulate({ hue: Math.round(degrees) }));
  },
});
