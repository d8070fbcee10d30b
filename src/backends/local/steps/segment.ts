import type { Segmenter } from '../segment/index.ts';
import { current, type Step } from '../context.ts';

/** Finds the subject of the current image once, for the background steps that follow. */
export const segment = (segmenter: Segmenter): Step => ({
  name: `segment(${segmenter.name})`,
  async run(ctx) {
    ctx.subject = await segmenter.segment(current(ctx), ctx.signal);
    ctx.segmenter = segmenter.name;
  },
});
