import { errors } from '../../../errors.ts';
import { fromRaster, type Raster } from '../../../images/raster.ts';

/**
 * How many separate objects a subject mask holds.
 *
 * Why: the engine has no object detector. A thing the prompt names by a noun alone ("make the ball
 * blue", "black and white except the cup") is looked for as the subject, the segmenter's foreground,
 * and recoloured by the subject's main colour. That is right when the photo has one subject. On a
 * table with a ball, a cup and a book the foreground is all three: "make the ball blue" turned the
 * cup (the largest, so the main colour) blue and left the ball orange, a 200 with the wrong image.
 * A named thing is therefore only taken for the subject when the mask is one object.
 *
 * Measured on a copy WORK_SIDE long, thresholded at half alpha, 8-connected. The figures the
 * threshold is read from are below and in test/engine-objects.test.ts.
 */

/** Measured on a copy this long: the shares below need no detail (as confidence.ts). */
const WORK_SIDE = 256;
/**
 * The largest piece must hold at least this share of the mask for it to be one object. Measured
 * (GrabCut / IS-Net): 1.00 / 1.00 on the tests' ball, wide product and portrait scenes and on QA's
 * bottle and portrait; the ball-cup-book table 0.45 / 0.46 (three pieces); a red ball between two grey
 * boxes (engine-recolor.test.ts) 0.73 with GrabCut (three pieces, rightly). Nothing measured falls
 * between 0.73 and 1.00.
 */
export const ONE_OBJECT_SHARE = 0.9;
/** A piece smaller than this share of the mask is a speck (a stray highlight), not another object: counted only in the share. */
const SPECK = 0.02;

export interface MaskObjects {
  /** Pieces of the mask that are not specks. */
  objects: number;
  /** The largest piece's share of the mask's area. */
  largestShare: number;
}

/** The separate pieces of `mask` (one band, 255 = subject), on a copy WORK_SIDE long. */
export async function maskObjects(mask: Raster): Promise<MaskObjects> {
  const scale = WORK_SIDE / Math.max(mask.width, mask.height);
  const W = Math.max(2, Math.round(mask.width * scale)), H = Math.max(2, Math.round(mask.height * scale));
  const m = await fromRaster(mask).resize(W, H, { fit: 'fill' }).extractChannel(0).raw().toBuffer();
  const label = new Int32Array(W * H).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < W * H; start++) {
    if (m[start]! < 128 || label[start]! >= 0) continue;
    const id = sizes.length;
    let size = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const x = i % W, y = (i - x) / W;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx, ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
        const j = ny * W + nx;
        if (m[j]! >= 128 && label[j]! < 0) { label[j] = id; stack.push(j); }
      }
    }
    sizes.push(size);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return { objects: 0, largestShare: 0 };
  const largest = Math.max(...sizes);
  return { objects: sizes.filter((s) => s >= total * SPECK).length, largestShare: largest / total };
}

/**
 * Refuses, with a 400 `unsupported_edit`, an edit of a thing named by a noun ("the ball") when the
 * subject mask is several objects: the engine cannot tell which of them the thing is.
 */
export async function refuseSeveralObjects(mask: Raster, thing: string): Promise<void> {
  const found = await maskObjects(mask);
  if (found.largestShare >= ONE_OBJECT_SHARE) return;
  throw errors.unsupportedEdit(`The local engine cannot tell which object is "the ${thing}" in this photo (it finds ${Math.max(2, found.objects)} separate objects). ` +
    `Name it by its colour ("make the orange ${thing} blue"), send a mask over it, or use an upstream model.`);
}
