import { errors } from '../../../errors.ts';
import type { Raster } from '../../../images/raster.ts';
import type { EditOp } from '../plan.ts';
import type { Step } from '../context.ts';
import { pixels } from '../pixels.ts';
import { editableOf } from './editable-area.ts';
import { subjectOf } from './subject-layer.ts';

type Recolor = Extract<EditOp, { op: 'recolor' }>;

/**
 * Orange in shadow is brown to a pixel (recolor-membership.mjs splits them by lightness): when more
 * than a trace of the image is too near the split to say which (an orange going into deep shade, a
 * light wood), recolouring one would half-recolour the other or leave half of the thing: refused.
 * The trace is the same share of the image as "found nothing to recolour" (0.2%), which edges
 * between an orange and a brown thing stay well under. Only images with both orange and brown are
 * split (forImage in recolor-membership.mjs): an orange thing alone is taken whole, shading and
 * all, and nothing is doubtful.
 */
export const tooDoubtful = (doubtful: number | undefined, pixels: number) => (doubtful ?? 0) > Math.max(64, pixels * 0.002);
/** Why a recolour or a colour splash cannot go on when orange and brown overlap; each says what it would do wrong. */
export const ORANGE_BROWN_OVERLAP = 'Part of this image is between orange and brown (an orange thing in shadow, or a light wood), and the local engine ' +
  'cannot tell them apart there';
export const BETWEEN_ORANGE_AND_BROWN = `${ORANGE_BROWN_OVERLAP}: it would change part of the wrong thing, or only part of the right one. Send a mask that is transparent over ` +
  'the thing and name the thing rather than its colour ("make the ball green").';

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
    const result = await ctx.workers.run<{ data: Uint8Array; changed: number; area: number; doubtful?: number }>('recolor', {
      data: new Uint8Array(r.data), width: r.width, height: r.height, channels: r.channels,
      mask: mask ? new Uint8Array(mask) : null, from: op.from, to: op.to, colorize: clientMask,
    }, ctx.signal);
    // The mask's area is counted in the worker too: a loop over every pixel does not belong here.
    if (result.changed < Math.max(16, result.area * 0.002)) {
      const what = op.object ? `the ${op.object}` : 'anything';
      throw errors.unsupportedEdit(`Could not find ${what} of that colour to recolour${op.scope === 'subject' && !clientMask ? ' (the local engine looks for it as the main subject of the image)' : ''}.`);
    }
    if (tooDoubtful(result.doubtful, r.width * r.height)) throw errors.unsupportedEdit(BETWEEN_ORANGE_AND_BROWN);
    ctx.raster = { ...r, data: Buffer.from(result.data) } satisfies Raster;
  },
});
