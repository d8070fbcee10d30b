import type { Sharp } from 'sharp';
import { fromRaster } from '../../../images/raster.ts';
import type { EngineContext } from '../context.ts';
import { type PipeOperation, preview, type Shape } from '../pixels.ts';

/** Side of the preview the crop position is chosen on: plenty for saliency, cheap at any size. */
const PREVIEW_SIDE = 256;

/**
 * Cover-fit to a size: scale so the target is filled, cropping the rest around the most interesting
 * part (sharp's attention strategy, as for `size`), without distortion. Null when the size is right.
 *
 * Why a preview: attention scored on the full image costs as much as the decode itself; scored on a
 * 256-pixel preview it is a few milliseconds, and the crop window is then cut from the full pixels
 * in the same pipeline as the decode.
 */
export async function coverFitOperation(ctx: EngineContext, s: Shape, to: { width: number; height: number }): Promise<PipeOperation | null> {
  if (to.width === s.width && to.height === s.height) return null;
  const scale = Math.max(to.width / s.width, to.height / s.height);
  // A target proportional to the image to within a pixel is a scale, not a crop: halving 2309x1732
  // asks for 1155x866, and cropping a row for that would also cost the preview below.
  const proportional = Math.abs((s.width * to.height) / s.height - to.width) < 1 || Math.abs((s.height * to.width) / s.width - to.height) < 1;
  // The window of the current pixels that ends up in the result.
  const w = proportional ? s.width : Math.min(s.width, Math.round(to.width / scale));
  const h = proportional ? s.height : Math.min(s.height, Math.round(to.height / scale));
  let left = 0;
  let top = 0;
  if (w < s.width || h < s.height) {
    const small = await preview(ctx, PREVIEW_SIDE);
    const k = small.width / s.width;
    const { info } = await fromRaster(small)
      .resize(Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k)), { fit: 'cover', position: 'attention' })
      .toBuffer({ resolveWithObject: true });
    left = Math.min(s.width - w, Math.max(0, Math.round(-(info.cropOffsetLeft ?? 0) / k)));
    top = Math.min(s.height - h, Math.max(0, Math.round(-(info.cropOffsetTop ?? 0) / k)));
  }
  const whole = w === s.width && h === s.height;
  const cropped = (p: Sharp) => (whole ? p : p.extract({ left, top, width: w, height: h }));
  // `fill` after the crop: the window already has the target's aspect, to within a pixel. A whole
  // image is resized without an extract, so sharp can still shrink a JPEG while decoding it.
  const scaled = (p: Sharp) => (w === to.width && h === to.height ? p : p.resize(to.width, to.height, { fit: 'fill' }));
  return { apply: (p) => scaled(cropped(p)), shape: { ...s, ...to } };
}
