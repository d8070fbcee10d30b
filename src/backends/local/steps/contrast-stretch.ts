import { errors } from '../../../errors.ts';
import type { Step } from '../context.ts';
import { type Levels, levelsOf } from '../levels.ts';
import { pixels, preview } from '../pixels.ts';

/** At most this share of the pixels is pushed to black, and as many to white, by the stretch (specks, a lamp). */
const CLIP_SHARE = 0.005;
/**
 * The steepest stretch: a photo whose levels span a third of the range (fog, a scan of a faded
 * print) reaches the full range; one flatter than that is stretched three times and stays a
 * little soft, rather than having its grain and JPEG blocks magnified with it.
 */
const MAX_GAIN = 3;
/** The prompt says the photo is flat: its spread of luma (5th to 95th percentile) grows by at least this factor. */
const MIN_GROWTH = 1.2;
/** The steepest S-curve, at its pivot about 2.6 times the slope of a straight line. */
const MAX_STEEPNESS = 8;
/** The contrast is measured on a copy this size. */
const GLANCE_SIDE = 512;

/** The bin below which `share` of the histogram lies. */
function quantile(hist: Float64Array, share: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  let below = 0;
  for (let bin = 0; bin < 256; bin++) {
    below += hist[bin]!;
    if (below > total * share) return bin;
  }
  return 255;
}

/** An S-curve on 0–1 through (0, 0) and (1, 1), steepest at `pivot`; the identity as `k` goes to 0. */
function sCurve(k: number, pivot: number): (y: number) => number {
  if (k <= 0) return (y) => y;
  const sig = (v: number) => 1 / (1 + Math.exp(-k * (v - pivot)));
  const [lo, hi] = [sig(0), sig(1)];
  return (y) => (sig(y) - lo) / (hi - lo);
}

/**
 * The tone curve that corrects a flat photo, as a 256-entry table, from its levels; null when no
 * bounded curve visibly widens it (a photo that already spans black to white).
 *
 * First a straight stretch, as levels would: the darkest channel's 0.5th percentile to black and
 * the brightest channel's 99.5th to white (CLIP_SHARE), at most MAX_GAIN steep, centred on the
 * photo's mid-level when the bound stops it. A photo that this leaves less than MIN_GROWTH wider
 * (one that already spans the range, but looks flat in its mid-tones) then gets an S-curve
 * pivoting on its median, which steepens the mid-tones and keeps black and white where they are.
 */
export function flatnessCurve(h: Levels): Uint8Array | null {
  const [lo, hi] = [quantile(h.low, CLIP_SHARE), quantile(h.high, 1 - CLIP_SHARE)];
  const gain = Math.max(1, Math.min(MAX_GAIN, 255 / Math.max(1, hi - lo)));
  const mid = (lo + hi) / 2;
  // Bounded: the middle of the photo's levels stays where it is, as far as the range allows.
  const midOut = Math.min(Math.max(mid, gain * (mid - lo)), 255 - gain * (hi - mid));
  const stretch = (x: number) => Math.min(1, Math.max(0, (gain * (x - mid) + midOut) / 255));
  const [p5, p50, p95] = [0.05, 0.5, 0.95].map((q) => quantile(h.luma, q)) as [number, number, number];
  const before = (p95 - p5) / 255;
  const pivot = Math.min(0.7, Math.max(0.3, stretch(p50)));
  const spread = (f: (x: number) => number) => f(p95) - f(p5);
  let curve = stretch;
  for (let k = 0; spread(curve) < before * MIN_GROWTH && k < MAX_STEEPNESS;) {
    k += 0.25;
    const s = sCurve(k, pivot);
    curve = (x) => s(stretch(x));
  }
  if (spread(curve) - before < Math.max(3 / 255, before * 0.05)) return null;
  return Uint8Array.from({ length: 256 }, (_, x) => Math.round(curve(x) * 255));
}

/**
 * "The photo looks kinda flat", with no amount: the contrast stretched from the image's own levels
 * (flatnessCurve), where a fixed 13% left a flat photo looking the same. The curve is applied to
 * every colour channel alike, as levels do; alpha is left alone. A photo the curve cannot visibly
 * widen is a 400, not the image back.
 */
export const stretchContrast: Step = {
  name: 'contrast-stretch',
  async run(ctx) {
    const table = flatnessCurve(levelsOf(await preview(ctx, GLANCE_SIDE)));
    if (!table) {
      throw errors.unsupportedEdit('The photo already spans from black to white: stretching its contrast further would lose detail in its shadows and highlights. Say how much more contrast if you want it anyway ("increase the contrast by 20%").');
    }
    const r = await pixels(ctx);
    const data = Buffer.from(r.data);
    const colours = r.channels >= 3 ? 3 : 1;
    for (let i = 0; i < data.length; i += r.channels) {
      for (let c = 0; c < colours; c++) data[i + c] = table[data[i + c]!]!;
    }
    ctx.raster = { ...r, data };
  },
};
