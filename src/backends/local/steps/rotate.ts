import { fromRaster, toRaster } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/**
 * Rotates clockwise by any angle. Right angles are exact pixel moves; other angles grow the canvas to
 * fit, and the new corners are transparent (made opaque white later if the output has no alpha).
 */
export function rotate(degrees: number): Step {
  return {
    name: `rotate(${degrees})`,
    async run(ctx) {
      const r = current(ctx);
      const right = degrees % 90 === 0;
      let p = fromRaster(r);
      if (!right && r.channels !== 4) p = p.ensureAlpha();
      ctx.raster = await toRaster(p.rotate(degrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } }));
    },
  };
}
