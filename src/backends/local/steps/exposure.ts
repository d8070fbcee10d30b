import { errors } from '../../../errors.ts';
import { type Levels, levelsOf } from '../levels.ts';
import { pipeStep, preview } from '../pixels.ts';

/**
 * The mean luma a correction aims for, on 0–1 sRGB values: about where a well-exposed photo sits
 * (brightening), and a little higher for darkening, so a bright scene (snow, a beach) stays bright.
 */
const TARGET = { up: 0.45, down: 0.5 } as const;
/** The prompt says the photo is off: the mean moves by at least this factor, even from a sane exposure. */
const MIN_STEP = 1.12;
/** The brightest mean a brightening reaches, however bright the photo already is. */
const CEILING = 0.85;
/** At most this share of the pixels is pushed to full white (a lamp, a specular highlight may clip; a face may not). */
const CLIP_SHARE = 0.005;
/** sharp's gamma takes 1–3; beyond that lifting shadows turns them grey. The gain is bounded too. */
const MAX_GAMMA = 3;
const MAX_GAIN = 8;
/** The gamma is searched in steps this fine. */
const STEP = 0.02;
/** The exposure is measured on a copy this size: plenty for a histogram, cheap at any size. */
const GLANCE_SIDE = 512;

/** A tone curve out = min(1, gain · in^exponent) on 0–1 values, applied to each colour channel. */
export interface ExposureCurve {
  exponent: number;
  gain: number;
}

const meanOf = (hist: Float64Array, f: (v: number) => number) => {
  let sum = 0;
  let n = 0;
  hist.forEach((count, bin) => { sum += count * f(bin / 255); n += count; });
  return n ? sum / n : 0;
};

/** The value below which all but `share` of the histogram lies, 0–1. */
function upperQuantile(hist: Float64Array, share: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  let above = 0;
  for (let bin = 255; bin > 0; bin--) {
    above += hist[bin]!;
    if (above > total * share) return bin / 255;
  }
  return 0;
}

/**
 * The curve that corrects an exposure the prompt called too dark (`up`) or too bright, from the
 * image's own histograms: the mean luma moves to a sane target (and by at least MIN_STEP), never
 * clipping more than CLIP_SHARE of the pixels to white. Null when no bounded curve makes a visible
 * change (a photo already near white called too dark).
 *
 * Brightening is first a gain (exposure: colours and contrast kept), as far as the highlights
 * allow; a photo whose highlights stop the gain short (a dark room with a window) then gets its
 * mid-tones lifted by a gamma, which leaves white at white. Darkening is a gamma only, so white
 * stays white rather than turning grey.
 */
export function exposureCurve(h: Levels, up: boolean): ExposureCurve | null {
  const mean = meanOf(h.luma, (v) => v);
  const after = (c: ExposureCurve) => meanOf(h.luma, (v) => Math.min(1, c.gain * v ** c.exponent));
  let best: ExposureCurve | null = null;
  if (up) {
    const want = Math.min(CEILING, Math.max(TARGET.up, mean * MIN_STEP));
    const hi = upperQuantile(h.high, CLIP_SHARE);
    for (let i = 0; i <= (MAX_GAMMA - 1) / STEP; i++) {
      const exponent = 1 / (1 + i * STEP);
      const lifted = meanOf(h.luma, (v) => v ** exponent);
      const gain = Math.max(1, Math.min(MAX_GAIN, want / Math.max(lifted, 1e-6), hi > 0 ? 1 / hi ** exponent : MAX_GAIN));
      best = { exponent, gain };
      if (after(best) >= want * 0.99) break;
    }
  } else {
    const want = Math.min(TARGET.down, mean / MIN_STEP);
    for (let i = 0; i <= (MAX_GAMMA - 1) / STEP; i++) {
      best = { exponent: 1 + i * STEP, gain: 1 };
      if (after(best) <= want * 1.01) break;
    }
  }
  // A change under 5% of the mean is not the fix the prompt asked for.
  return best && Math.abs(after(best) - mean) >= Math.max(1 / 255, mean * 0.05) ? best : null;
}

/**
 * "It's too dark" (or too bright), with no amount: the exposure corrected from the image itself
 * (exposureCurve), where a fixed 20% left a badly underexposed photo dark. A photo the curve cannot
 * visibly change that way is a 400, not the image back unchanged.
 */
export const correctExposure = (up: boolean) =>
  pipeStep(`exposure(${up ? 'up' : 'down'})`, async (s, ctx) => {
    const curve = exposureCurve(levelsOf(await preview(ctx, GLANCE_SIDE)), up);
    if (!curve) {
      throw errors.unsupportedEdit(up
        ? 'The photo is already bright: brightening it further would wash it out. Say how much brighter if you want it anyway ("make it 20% brighter").'
        : 'The photo is already dark: darkening it further would lose its shadows. Say how much darker if you want it anyway ("make it 20% darker").');
    }
    const { exponent, gain } = curve;
    const alpha = s.channels === 2 || s.channels === 4;
    const bands = (v: number, a: number) => [...Array(s.channels - (alpha ? 1 : 0)).fill(v), ...(alpha ? [a] : [])];
    return {
      // sharp applies the gamma before the linear map, which is the curve's order: gain · in^exponent.
      // gamma(1, g) raises to 1/g (brighter), gamma(g, 1) to g (darker).
      apply: (p) => (exponent < 1 ? p.gamma(1, Math.min(MAX_GAMMA, 1 / exponent)) : p.gamma(Math.min(MAX_GAMMA, exponent), 1)).linear(bands(gain, 1), bands(0, 0)),
      // sharp may give grey input back as sRGB: the shape is then known only afterwards.
      shape: s.channels >= 3 ? s : undefined,
    };
  });
