import { targetDimensions } from '../../../edits/size.ts';
import { coverFit } from '../../../images/raster.ts';
import { current, type Step } from '../context.ts';

/** Applies the request's `size`: exact sizes and aspect ratios cover-fit with an attention crop. */
export const fitSize: Step = {
  name: 'fit-size',
  async run(ctx) {
    const r = current(ctx);
    const { width, height } = targetDimensions(ctx.request.size, r.width, r.height);
    if (width === r.width && height === r.height) return;
    ctx.raster = await coverFit(r, width, height);
  },
};
