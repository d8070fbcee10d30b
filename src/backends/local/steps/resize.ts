import { errors } from '../../../errors.ts';
import { MAX_SIDE } from '../../../edits/size.ts';
import { pipeStep } from '../pixels.ts';
import { coverFitOperation } from './cover-fit.ts';

type ResizeTarget = { scale: number } | { width?: number; height?: number };

/** The pixel size a resize asks for, refused when it would leave the supported range. */
export function resizedDimensions(width: number, height: number, target: ResizeTarget) {
  let w: number;
  let h: number;
  if ('scale' in target) {
    w = Math.round(width * target.scale);
    h = Math.round(height * target.scale);
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
