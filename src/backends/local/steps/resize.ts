import { errors } from '../../../errors.ts';
import { coverFit } from '../../../images/raster.ts';
import { MAX_SIDE } from '../../../edits/size.ts';
import { current, type Step } from '../context.ts';

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
export function resize(target: ResizeTarget): Step {
  return {
    name: 'resize',
    async run(ctx) {
      const r = current(ctx);
      const { width, height } = resizedDimensions(r.width, r.height, target);
      if (width === r.width && height === r.height) return;
      ctx.raster = await coverFit(r, width, height);
    },
  };
}
