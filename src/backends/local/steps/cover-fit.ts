import sharp, { type Sharp } from 'sharp';
import { fromRaster, type Raster } from '../../../images/raster.ts';
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
    const box = await subjectBox(ctx, s);
    // Never cut the subject: a window too small to hold it becomes a letterbox instead.
    if (box && (box.width > w || box.height > h)) return letterbox(ctx, s, to, small);
    const k = small.width / s.width;
    const { info } = await fromRaster(small)
      .resize(Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k)), { fit: 'cover', position: 'attention' })
      .toBuffer({ resolveWithObject: true });
    left = Math.min(s.width - w, Math.max(0, Math.round(-(info.cropOffsetLeft ?? 0) / k)));
    top = Math.min(s.height - h, Math.max(0, Math.round(-(info.cropOffsetTop ?? 0) / k)));
    // The window the attention strategy chose, moved as little as needed to hold the whole subject.
    if (box) {
      left = Math.min(Math.max(left, box.left + box.width - w), box.left);
      top = Math.min(Math.max(top, box.top + box.height - h), box.top);
    }
  }
  const whole = w === s.width && h === s.height;
  const cropped = (p: Sharp) => (whole ? p : p.extract({ left, top, width: w, height: h }));
  // `fill` after the crop: the window already has the target's aspect, to within a pixel. A whole
  // image is resized without an extract, so sharp can still shrink a JPEG while decoding it.
  const scaled = (p: Sharp) => (w === to.width && h === to.height ? p : p.resize(to.width, to.height, { fit: 'fill' }));
  return { apply: (p) => scaled(cropped(p)), shape: { ...s, ...to }, moves: (m) => scaled(cropped(m)) };
}

interface Box { left: number; top: number; width: number; height: number }

/**
 * Where the subject is in the current pixels, when the edit segmented it and the mask still lines
 * up with them (a rotation before a crop would move the pixels away from the mask). libvips finds
 * the box (trim against the mask's black), so no loop over a 12 MP mask runs on the event loop.
 */
async function subjectBox(ctx: EngineContext, s: Shape): Promise<Box | null> {
  const mask = ctx.subject;
  if (!mask || mask.width !== s.width || mask.height !== s.height) return null;
  const { info } = await sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .trim({ background: '#000000', threshold: 127 })
    .toBuffer({ resolveWithObject: true });
  const left = -(info.trimOffsetLeft ?? 0);
  const top = -(info.trimOffsetTop ?? 0);
  if (info.width >= mask.width && info.height >= mask.height && left === 0 && top === 0) return null;
  return { left, top, width: info.width, height: info.height };
}

/**
 * Fits the whole image inside the target and fills the rest: with the new background colour when
 * the plan sets one, transparency when it removed the background, and otherwise the mean colour of
 * the image's edge, so the added bands continue the photo rather than frame it.
 */
function letterbox(ctx: EngineContext, s: Shape, to: { width: number; height: number }, small: Raster): PipeOperation {
  const bg = [...ctx.plan.ops].reverse().find((op) => op.op === 'background' && (op.action === 'color' || op.action === 'remove'));
  let background: { r: number; g: number; b: number; alpha: number };
  if (bg?.op === 'background' && bg.action === 'color') background = { r: bg.color[0], g: bg.color[1], b: bg.color[2], alpha: 1 };
  else if (bg && s.channels === 4) background = { r: 0, g: 0, b: 0, alpha: 0 };
  else background = { ...edgeMean(small), alpha: 1 };
  return {
    apply: (p) => p.resize(to.width, to.height, { fit: 'contain', background }),
    shape: { ...s, ...to },
    moves: (m, added) => m.resize(to.width, to.height, { fit: 'contain', background: { r: added, g: added, b: added, alpha: 1 } }),
  };
}

function edgeMean(r: Raster): { r: number; g: number; b: number } {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      if (y !== 0 && y !== r.height - 1 && x !== 0 && x !== r.width - 1) continue;
      const o = (y * r.width + x) * r.channels;
      for (let c = 0; c < 3; c++) sum[c]! += r.data[o + Math.min(c, r.channels - 1)]!;
      n++;
    }
  }
  const [red, green, blue] = sum.map((v) => Math.round(v / Math.max(1, n))) as [number, number, number];
  return { r: red, g: green, b: blue };
}
