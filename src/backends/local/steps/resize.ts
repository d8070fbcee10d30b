import { errors } from '../../../errors.ts';
import { MAX_SIDE } from '../../../edits/size.ts';
import { resizedDimensions, type ResizeTarget } from '../output-size.ts';
import { pipeStep } from '../pixels.ts';
import { coverFitOperation } from './cover-fit.ts';
import type { Step } from '../context.ts';

/**
 * Scales the image. Both sides given: cover-fit with an attention crop, the same rule as `size=WxH`,
 * so the result has exactly the pixels asked for without distortion.
 */
export const resize = (target: ResizeTarget) =>
  pipeStep('resize', (s, ctx) => coverFitOperation(ctx, s, resizedDimensions(s.width, s.height, target, { maxSide: MAX_SIDE, maxPixels: ctx.maxPixels })));

/**
 * "Resize it" with no size in the prompt: the request's `size` does the resizing (fit-size runs
 * last), so this step only makes sure there is one; without it the prompt asks for nothing.
 */
export const requestedSize: Step = {
  name: 'requested-size',
  async run(ctx) {
    if (ctx.request.size.kind === 'auto') {
      throw errors.unsupportedEdit('The prompt asks for a resize but says no size: say one ("resize to 800x600", "scale to 50%") or send the `size` parameter.');
    }
  },
};
