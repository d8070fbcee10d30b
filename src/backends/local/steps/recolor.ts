import { errors } from '../../../errors.ts';
import { decodeImage, fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { EditOp } from '../plan.ts';
import type { EngineContext, Step } from '../context.ts';
import { pixels } from '../pixels.ts';
import { subjectOf } from './subject-layer.ts';

type Recolor = Extract<EditOp, { op: 'recolor' }>;

/**
 * Where the client's mask allows an edit (alpha 0), as one band at the current size: 255 = edit.
 * The client said where the thing is, so that is where to look for it.
 */
async function maskedArea(ctx: EngineContext, width: number, height: number): Promise<Uint8Array> {
  const mask = await decodeImage(ctx.request.mask!, ctx.maxPixels, 'mask');
  const alpha = await toRaster(fromRaster(await toRaster(fromRaster(mask).ensureAlpha().extractChannel(3))).resize(width, height, { fit: 'fill' }).extractChannel(0).negate());
  return new Uint8Array(alpha.data);
}

/**
 * Recolours by hue, keeping saturation and value so shading survives, with a soft edge in hue and
 * at the mask's edge. Restricted to the client's mask when there is one, else to the subject mask
 * when the prompt named the subject. The per-pixel loop runs in a worker thread. Finding nothing to
 * recolour is a 400, never an unchanged 200.
 */
export const recolor = (op: Recolor): Step => ({
  name: 'recolor',
  async run(ctx) {
    const r = await pixels(ctx);
    const clientMask = ctx.request.mask !== undefined;
    const mask = clientMask ? await maskedArea(ctx, r.width, r.height) : op.scope === 'subject' ? subjectOf(ctx, r).data : null;
    const result = await ctx.workers.run<{ data: Uint8Array; changed: number; area: number }>('recolor', {
      data: new Uint8Array(r.data), width: r.width, height: r.height, channels: r.channels,
      mask: mask ? new Uint8Array(mask) : null, from: op.from, to: op.to, colorize: clientMask,
    }, ctx.signal);
    // The mask's area is counted in the worker too: a loop over every pixel does not belong here.
    if (result.changed < Math.max(16, result.area * 0.002)) {
      const what = op.object ? `the ${op.object}` : 'anything';
      throw errors.unsupportedEdit(`Could not find ${what} of that colour to recolour${op.scope === 'subject' && !clientMask ? ' (the local engine looks for it as the main subject of the image)' : ''}.`);
    }
    ctx.raster = { ...r, data: Buffer.from(result.data) } satisfies Raster;
  },
});
