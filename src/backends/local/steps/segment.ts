import type { Segmenter } from '../segment/index.ts';
import { type Step } from '../context.ts';
import { pixels } from '../pixels.ts';

/** Finds the subject of the current image once, for the background steps that follow. */
export const segment = (segmenter: Segmenter): Step => ({
  name: `segment(${segmenter.name})`,
  async run(ctx) {
    ctx.subject = await segmenter.segment(await pixels(ctx), ctx.signal);
    ctx.segmenter = segmenter.name;
  },
});
