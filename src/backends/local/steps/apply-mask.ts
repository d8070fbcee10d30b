import { keepOriginalOutsideMask } from '../../../images/blend.ts';
import { pixels } from '../pixels.ts';
import type { Step } from '../context.ts';

/** Keeps the edit only where the request's mask is transparent. */
export const applyMask: Step = {
  name: 'apply-mask',
  async run(ctx) {
    if (!ctx.request.mask || !ctx.original) return;
    ctx.raster = await keepOriginalOutsideMask(await pixels(ctx), ctx.original, ctx.request.mask, ctx.maxPixels);
  },
};
