import { targetDimensions } from '../../../edits/size.ts';
import { coverFit } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/** Crops to an aspect ratio, keeping as many pixels as possible, around the most interesting part. */
export const cropAspect = (width: number, height: number): Step => ({
  name: `crop-aspect(${width}:${height})`,
  async run(ctx) {
    const r = current(ctx);
    const t = targetDimensions({ kind: 'aspect', width, height }, r.width, r.height);
    if (t.width === r.width && t.height === r.height) return;
    ctx.raster = await coverFit(r, t.width, t.height);
  },
});
