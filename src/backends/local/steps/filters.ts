import { fromRaster, toRaster } from '../../../images/raster.ts';
import { pixels, sameShapeStep } from '../pixels.ts';
import type { Step } from '../context.ts';
import { refuseOnTransparentBackground } from './segment.ts';
import { keptOf, overNewBackground, subjectOf } from './subject-layer.ts';

/** Gaussian blur; without an explicit sigma its strength follows the image size (σ = shorter side / 150, at least 2). */
export const blur = (sigma: number | undefined, amount: number) =>
  sameShapeStep('blur', (p, s) => p.blur(Math.min(sigma ?? Math.max(2, (Math.min(s.width, s.height) / 150) * amount), 500)));

/** Unsharp masking, stronger with the amount. */
export const sharpen = (amount: number) =>
  sameShapeStep('sharpen', (p) => p.sharpen({ sigma: 1 + amount * 0.5, m1: 1, m2: 2 + amount }));

/** Median filter: removes speckle noise while keeping edges (3x3, or 5x5 when asked for more). */
export const denoise = (amount: number) => sameShapeStep('denoise', (p) => p.median(amount > 1.5 ? 5 : 3));

/**
 * Mosaic: shrink to one pixel per block, then enlarge with nearest-neighbour (two resizes: two
 * pipelines). With a region, only the subject or only the background (by the subject mask).
 */
export const pixelate = (block: number | undefined, amount: number, region: 'all' | 'subject' | 'background' = 'all'): Step => ({
  name: region === 'all' ? 'pixelate' : `pixelate(${region})`,
  async run(ctx) {
    if (region === 'background') refuseOnTransparentBackground(ctx.segmenter, 'pixelate');
    const r = await pixels(ctx);
    const b = Math.max(2, Math.round(block ?? Math.max(4, (Math.min(r.width, r.height) / 40) * amount)));
    const small = await toRaster(fromRaster(r).resize(Math.max(1, Math.round(r.width / b)), Math.max(1, Math.round(r.height / b)), { kernel: 'cubic' }));
    const mosaic = await toRaster(fromRaster(small).resize(r.width, r.height, { kernel: 'nearest', fit: 'fill' }));
    if (region === 'all') ctx.raster = mosaic;
    // The background: the sharp subject over the mosaic. The subject: the mosaic's subject over the image.
    else if (region === 'background') ctx.raster = await overNewBackground(r, await keptOf(ctx, r), mosaic);
    else ctx.raster = await overNewBackground(mosaic, subjectOf(ctx, r), r);
  },
});
