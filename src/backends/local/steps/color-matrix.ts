import { fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

type Matrix = [[number, number, number], [number, number, number], [number, number, number]];

const LUMA: [number, number, number] = [0.2126, 0.7152, 0.0722];
/** Rec. 709 luma in every output channel: black and white that stays RGB. */
export const LUMA_MATRIX: Matrix = [LUMA, LUMA, LUMA];

/** A step that multiplies RGB by a 3x3 matrix, leaving alpha alone (sepia, and kin). */
export function colorMatrix(name: string, matrix: Matrix): Step {
  return {
    name,
    async run(ctx) {
      const r = current(ctx);
      if (r.channels < 3) return;
      ctx.raster = await toRaster(fromRaster(r).recomb(matrix));
    },
  };
}

/** A step that maps each channel linearly: out = a·in + b (brightness, contrast, tint, warmth). */
export function linear(name: string, a: [number, number, number], b: [number, number, number]): Step {
  return {
    name,
    async run(ctx) {
      const r = current(ctx);
      // With alpha, sharp's linear() wants a value per band; alpha passes through unchanged.
      const withAlpha = r.channels === 4;
      ctx.raster = await toRaster(fromRaster(r).linear(withAlpha ? [...a, 1] : a, withAlpha ? [...b, 0] : b));
    },
  };
}
