import { errors } from '../../../errors.ts';
import { keepOriginalOutsideMask } from '../../../images/blend.ts';
import { fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import { pixels } from '../pixels.ts';
import type { Step } from '../context.ts';

/**
 * Keeps the edit only where the request's mask is transparent. An edit that then changes nothing
 * (a vignette in corners the mask keeps, a blur of a flat area) is a 400: the image back unchanged
 * would answer as if the edit had been done.
 */
export const applyMask: Step = {
  name: 'apply-mask',
  async run(ctx) {
    if (!ctx.request.mask || !ctx.original) return;
    const result = await keepOriginalOutsideMask(await pixels(ctx), ctx.original, ctx.request.mask, ctx.maxPixels);
    if (await largestChange(result, ctx.original) <= UNSEEN) {
      throw errors.unsupportedEdit('The edit changes nothing in the area the mask leaves editable (where its alpha is 0): it acts on parts of the image the mask keeps, or that area has nothing for it to change.');
    }
    ctx.raster = result;
  },
};

/** A change of at most this much in every channel is rounding, not an edit (libvips' difference rounds too). */
const UNSEEN = 2;

/** The largest difference between two rasters of one size in any colour channel or alpha, computed by libvips. */
async function largestChange(a: Raster, b: Raster): Promise<number> {
  const rgba = (r: Raster) => toRaster(fromRaster(r).toColourspace('srgb').ensureAlpha());
  const [x, y] = await Promise.all([rgba(a), rgba(b)]);
  const colour = (r: Raster) => toRaster(fromRaster(r).removeAlpha());
  const alpha = (r: Raster) => toRaster(fromRaster(r).extractChannel(3));
  const [xc, yc, xa, ya] = await Promise.all([colour(x), colour(y), alpha(x), alpha(y)]);
  // stats() reads a pipeline's input, not its result: the difference is made first, then measured.
  const difference = async (p: Raster, q: Raster) => {
    const d = await toRaster(fromRaster(p).composite([{ input: q.data, raw: { width: q.width, height: q.height, channels: q.channels }, blend: 'difference' }]));
    const stats = await fromRaster(d).stats();
    return Math.max(...stats.channels.slice(0, p.channels).map((c) => c.max));
  };
  return Math.max(await difference(xc, yc), await difference(xa, ya));
}
