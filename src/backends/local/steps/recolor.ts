import { errors } from '../../../errors.ts';
import type { Raster } from '../../../images/raster.ts';
import type { EditOp } from '../plan.ts';
import type { Step } from '../context.ts';
import { pixels } from '../pixels.ts';
import { editableOf } from './editable-area.ts';
import { subjectOf } from './subject-layer.ts';

type Recolor = Extract<EditOp, { op: 'recolor' }>;

/**
 * Recolours by hue to the target's hue, lightness and chroma, keeping the thing's shading (navy
 * comes out dark, light pink light), with a soft edge in hue and at the mask's edge. Restricted to the client's mask when there is one, else to the subject mask
 * when the prompt named the subject. The per-pixel loop runs in a worker thread. Finding nothing to
 * recolour is a 400, never an unchanged 200.
 */
export const recolor = (op: Recolor): Step => ({
  name: 'recolor',
  async run(ctx) {
    const r = await pixels(ctx);
    const clientMask = ctx.request.mask !== undefined;
    // The client said where the thing is, so that is where to look for it.
    const mask = clientMask ? editableOf(ctx).data : op.scope === 'subject' ? subjectOf(ctx, r).data : null;
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
