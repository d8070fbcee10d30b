import { errors } from '../../../errors.ts';
import { fromRaster, type Raster } from '../../../images/raster.ts';
import type { SubjectMask } from './index.ts';

/**
 * Whether a subject mask can be trusted, judged from the mask and the image alone (any segmenter).
 *
 * Why: a segmenter always answers with a mask, even when it could not tell the subject from the
 * background, and a background edit with a wrong mask answers 200 with a wrong image. Blind
 * evaluations saw "make the background white" on a bottle in front of bold stripes and circles
 * whiten the bottle and keep half the stripes. A wrong image is worse than a refusal, so a doubtful
 * mask is a 400 `unsupported_edit` before any step uses it.
 *
 * Every threshold below was measured with `node --import tsx bench/mask-confidence.ts`:
 * GrabCut and IS-Net masks on every photo the tests segment, on clean product shots, and on busy
 * scenes that reproduce the failures. That script prints the table the margins are read from.
 */

/** Statistics of one mask on its image, measured on a copy WORK_SIDE long (see maskStatistics). */
export interface MaskStatistics {
  /** Share of the image where the mask is undecided: alpha strictly between UNDECIDED_LOW and UNDECIDED_HIGH. */
  uncertain: number;
  /** Separate stretches of subject (each at least MIN_RUN long) along the image's edge. */
  borderRuns: number;
  /** Share of the image's opaque pixels on a strong colour edge (a step above STRONG_EDGE): how busy the picture is. */
  busy: number;
  /**
   * How alike the colours inside and outside the mask are: the Bhattacharyya coefficient of their
   * colour histograms (8 levels a channel), 0 when they share no colour, 1 when they are the same.
   */
  overlap: number;
}

/** Measured on a copy this long (small images enlarged too): the statistics are shares, alike at every size. */
const WORK_SIDE = 256;
/** 0.15–0.85 of full alpha: neither subject nor background. */
const UNDECIDED_LOW = 38, UNDECIDED_HIGH = 217;
/** A stretch of subject along the edge shorter than this (working pixels, ~1% of the side) is a wisp, not a shape. */
const MIN_RUN = 3;
/** A difference between neighbours (any channel, 0–255, at the working size) above this is a strong edge. */
const STRONG_EDGE = 64;

/**
 * More undecided pixels than this share of the image: the model itself is unsure. Measured: 0–0.031
 * on every clean scene (0.031 is IS-Net's soft label on a white bottle on white), 0.132 and 0.465 where
 * IS-Net smeared over a busy backdrop; GrabCut's feathered edge stays under 0.04 everywhere.
 */
export const MAX_UNCERTAIN = 0.1;
/**
 * This many stretches of subject along the edge or more: a backdrop's pattern (stripes) was taken for
 * the subject. Measured: 0 on every clean scene (a portrait's true mask, shoulders cut by the frame,
 * makes 1); 11 when IS-Net took the stripes behind a bottle for the subject (4 and 5 where it smeared,
 * refused by the other rules). A subject cut by the frame meets it in a stretch or two a side it crosses.
 */
export const MIN_PATTERN_RUNS = 6;
/**
 * A picture busier than this (share of strong-edge pixels) is a busy scene. Measured: 0–0.017 on every
 * clean scene and every photo the tests segment (textured backgrounds and a turned photo's transparent
 * corners included), 0.065–0.076 on the stripes-and-circles scenes: about twice the threshold either way.
 */
export const BUSY = 0.035;
/**
 * In a busy scene, subject and background this alike in colour (or more) mean the mask mixes them up.
 * Measured on the busy scenes: 0.61–0.92 where the mask took in parts of the backdrop or missed the
 * bottle; 0.40–0.42 where GrabCut found the bottle (IoU 0.94, and 0.79 with two circles stuck to it,
 * which this does not catch). Clean scenes are not judged by it: a white bottle on white measures 0.66
 * and its mask is right.
 */
export const MAX_BUSY_OVERLAP = 0.5;

/** The statistics of `mask` on `image` (same size), on copies WORK_SIDE long: a few milliseconds. */
export async function maskStatistics(image: Raster, mask: SubjectMask): Promise<MaskStatistics> {
  const scale = WORK_SIDE / Math.max(image.width, image.height);
  const W = Math.max(2, Math.round(image.width * scale)), H = Math.max(2, Math.round(image.height * scale));
  // Separate pipelines: sharp orders a pipeline's operations itself (two extractChannel calls in one
  // keep only the last), and a band resized alone comes back with three unless one is extracted.
  const alphaBand = image.channels === 2 || image.channels === 4 ? image.channels - 1 : -1;
  const [rgb, alpha, opacity] = await Promise.all([
    fromRaster(image).removeAlpha().toColourspace('srgb').resize(W, H, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true }),
    fromRaster(mask).resize(W, H, { fit: 'fill' }).extractChannel(0).raw().toBuffer(),
    // sharp extracts the band after the resize: no full-size copy of the alpha plane is made.
    alphaBand < 0 ? null : fromRaster(image).resize(W, H, { fit: 'fill' }).extractChannel(alphaBand as 1 | 3).raw().toBuffer(),
  ]);
  const c = rgb.data, ch = rgb.info.channels, m = alpha, n = W * H;
  // Transparent pixels (the corners a turn adds) have no colour to judge: their stored colour would
  // make a strong edge along every transparent border.
  const opaque = (i: number) => !opacity || opacity[i]! >= 128;

  let undecided = 0, strong = 0, seen = 0, inside = 0, outside = 0;
  const hin = new Float64Array(512), hout = new Float64Array(512);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = y * W + x, a = m[i]! / 255;
    if (m[i]! > UNDECIDED_LOW && m[i]! < UNDECIDED_HIGH) undecided++;
    if (!opaque(i)) continue;
    seen++;
    const bin = ((c[i * ch]! >> 5) << 6) | ((c[i * ch + 1]! >> 5) << 3) | (c[i * ch + 2]! >> 5);
    hin[bin]! += a; inside += a;
    hout[bin]! += 1 - a; outside += 1 - a;
    let step = 0;
    for (let k = 0; k < 3; k++) {
      const v = c[i * ch + k]!;
      if (x + 1 < W && opaque(i + 1)) step = Math.max(step, Math.abs(v - c[(i + 1) * ch + k]!));
      if (y + 1 < H && opaque(i + W)) step = Math.max(step, Math.abs(v - c[(i + W) * ch + k]!));
    }
    if (step > STRONG_EDGE) strong++;
  }
  let overlap = 0;
  if (inside > 0 && outside > 0) for (let b = 0; b < 512; b++) overlap += Math.sqrt((hin[b]! / inside) * (hout[b]! / outside));

  // The edge walked once round, clockwise from the top-left corner.
  const ring: number[] = [];
  for (let x = 0; x < W; x++) ring.push(m[x]!);
  for (let y = 1; y < H; y++) ring.push(m[y * W + W - 1]!);
  for (let x = W - 2; x >= 0; x--) ring.push(m[(H - 1) * W + x]!);
  for (let y = H - 2; y > 0; y--) ring.push(m[y * W]!);
  const start = ring.findIndex((v) => v < 128); // a run is counted from a background pixel, so none is split at the start
  let borderRuns = 0;
  if (start < 0) borderRuns = 1;
  else for (let i = 0, run = 0; i <= ring.length; i++) {
    const subject = i < ring.length && ring[(start + i) % ring.length]! >= 128;
    if (subject) run++;
    else { if (run >= MIN_RUN) borderRuns++; run = 0; }
  }
  return { uncertain: undecided / n, borderRuns, busy: seen ? strong / seen : 0, overlap: Math.min(1, overlap) };
}

/** Why the mask is doubtful, in words for the client, or null when it can be trusted. */
export function maskDoubt(s: MaskStatistics): string | null {
  if (s.uncertain > MAX_UNCERTAIN) return 'the segmenter was unsure where the subject ends over a large part of the image';
  if (s.borderRuns >= MIN_PATTERN_RUNS) return 'the background\'s pattern looked like part of the subject';
  if (s.busy > BUSY && s.overlap > MAX_BUSY_OVERLAP) return 'the subject has the same colours as the busy background around it';
  return null;
}

/**
 * Refuses, with a 400 `unsupported_edit` that says what to try, an edit whose subject mask is doubtful
 * (see maskDoubt); returns the statistics otherwise.
 */
export async function refuseDoubtfulMask(image: Raster, mask: SubjectMask): Promise<MaskStatistics> {
  const stats = await maskStatistics(image, mask);
  const why = maskDoubt(stats);
  if (why) {
    throw errors.unsupportedEdit(`The local engine could not tell the subject from the background in this image with enough confidence (${why}), so this edit would change the wrong parts of it. Try a photo where the subject stands out against a plainer background, or a model served by an upstream provider instead of the local engine.`);
  }
  return stats;
}
