import { encodeOptionsOf } from '../../../edits/request.ts';
import { encodePipeline, encodeRaster, needsFlatten } from '../../../images/encode.ts';
import { finishPending, pixels } from '../pixels.ts';
import type { Step } from '../context.ts';

/**
 * Encodes the result in the requested output format, compression and background: at the end of the
 * pending pipeline when there is one (flattening aside: sharp flattens before other operations).
 */
export const encode: Step = {
  name: 'encode',
  async run(ctx) {
    const opts = encodeOptionsOf(ctx.request);
    const pending = ctx.pending;
    if (pending && !needsFlatten(pending.shape.channels, opts)) {
      ctx.output = await finishPending(pending, (p) => encodePipeline(p, opts));
      delete ctx.pending;
      return;
    }
    ctx.output = await encodeRaster(await pixels(ctx), opts);
  },
};
