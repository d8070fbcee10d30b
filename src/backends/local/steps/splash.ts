import { errors } from '../../../errors.ts';
import type { Raster } from '../../../images/raster.ts';
import type { RGB } from '../parse/colors.ts';
import type { Step } from '../context.ts';
import { pixels } from '../pixels.ts';
import { ORANGE_BROWN_OVERLAP, tooDoubtful } from './recolor.ts';

/**
 * "Black and white but keep the red": grey everywhere but the pixels of one colour, chosen as a
 * recolour chooses them (recolor-membership.mjs). An image with nothing of
 * that hue would come back plain black and white, which is not what was asked: a 400 instead.
 */
export const splash = (keep: RGB): Step => ({
  name: 'splash',
  async run(ctx) {
    const r = await pixels(ctx);
    const result = await ctx.workers.run<{ data: Uint8Array; kept: number; doubtful: number }>('splash', {
      data: new Uint8Array(r.data), width: r.width, height: r.height, channels: r.channels, keep,
    }, ctx.signal);
    if (result.kept < Math.max(16, r.width * r.height * 0.002)) {
      throw errors.unsupportedEdit('There is nothing of the colour to keep in this image, so it would come back plain black and white.');
    }
    if (tooDoubtful(result.doubtful, r.width * r.height)) {
      throw errors.unsupportedEdit(`${ORANGE_BROWN_OVERLAP}, so it cannot keep only the one in colour.`);
    }
    ctx.raster = { ...r, data: Buffer.from(result.data) } satisfies Raster;
  },
});
