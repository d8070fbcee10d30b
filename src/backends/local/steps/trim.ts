import { errors } from '../../../errors.ts';
import { fromRaster, toRaster } from '../../../images/raster.ts';
import { type Step } from '../context.ts';
import { pixels } from '../pixels.ts';

/** Removes uniform borders (the colour of the top-left pixel). No border found is a 400, not a silent no-op. */
export const trim: Step = {
  name: 'trim',
  async run(ctx) {
    const r = await pixels(ctx);
    const out = await toRaster(fromRaster(r).trim({ threshold: 12 })).catch(() => r);
    if (out.width === r.width && out.height === r.height) {
      throw errors.unsupportedEdit('There is no uniform border to trim in this image.');
    }
    ctx.raster = out;
  },
};
