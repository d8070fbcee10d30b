import { errors } from '../../../errors.ts';
import { MAX_SIDE } from '../../../edits/size.ts';
import { pipeStep } from '../pixels.ts';
import { coverFitOperation } from './cover-fit.ts';
import type { Step } from '../context.ts';

type ResizeTarget = { scale: number } | { longest: number } | { width?: number; height?: number };

/** The pixel size a resize asks for, refused when it would leave the supported range. */
export function resizedDimensions(width: number, height: number, target: ResizeTarget) {
  let w: number;
  let h: number;
  if ('scale' in target || 'longest' in target) {
    const scale = 'scale' in target ? target.scale : target.longest / Math.max(width, height);
    w = Math.round(width * scale);
    h = Math.round(height * scale);
  } else {
    w = target.width ?? Math.round((width * target.height!) / height);
    h = target.height ?? Math.round((height * target.width!) / width);
  }
  if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
    throw errors.unsupportedEdit(`Resizing ${width}x${height} that way gives ${w}x${h}; each side must be from 1 to ${MAX_SIDE} pixels.`);
  }
  return { width: w, height: h };
}

/**
 * Scales the image. Both sides given: cover-fit with an attention crop, the same rule as `size=WxH`,
 * so the result has exactly the pixels asked for without distortion.
 */
export const resize = (target: ResizeTarget) =>
  pipeStep('resize', (s, ctx) => coverFitOperation(ctx, s, resizedDimensions(s.width, s.height, target)));

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
