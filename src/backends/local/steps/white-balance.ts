import { errors } from '../../../errors.ts';
import type { Raster } from '../../../images/raster.ts';
import { pipeStep, preview } from '../pixels.ts';

/**
 * Colour is measured as log-RGB with its mean taken out, on two axes of that plane. TEMP runs along
 * the light sources of everyday photos (the blackbody locus): from daylight (6500 K) to tungsten
 * (2850 K) it is the direction (ln R, ln G, ln B) moves in encoded sRGB, positive towards warm.
 * TINT is across it, positive towards magenta, negative towards green (fluorescent light).
 */
const TEMP = [0.649, 0.104, -0.754] as const;
const TINT = [0.495, -0.81, 0.315] as const;

/**
 * How far a correction goes on the warm–cool axis. A white balance set wrong by as much as a camera
 * gets it wrong (tungsten light under a daylight setting: white comes out about 255, 177, 100, TEMP
 * 0.67) is a cast, and is taken out in full up to PLAUSIBLE. Colour beyond that is the light of the
 * scene, not the camera's error (a sunset sky measures about 1.0, candle light more): the correction
 * falls off to GENTLE by IMPLAUSIBLE, so a sunset called too yellow is cooled a little and stays a
 * sunset instead of turning grey.
 */
const PLAUSIBLE = 0.7;
const IMPLAUSIBLE = 0.95;
const GENTLE = 0.15;
/** Green or magenta casts (fluorescent light, a filter) are milder than warm or cool ones, and capped lower. */
const MAX_TINT = 0.2;
/** With a direction named, the tint corrected is at most this share of the warmth corrected (see correctionFor). */
const NAMED_LEAN = 0.25;
/** A prompt that names a cast ("too yellow") gets at least this much, even from a photo measured neutral: about 9% on B/R. */
const MIN_TEMP = 0.06;
/** A correction smaller than this on both axes is not visible: "fix the white balance" on a neutral photo is refused. */
const VISIBLE = 0.04;
/** Channels this dark say little about colour (noise); a channel at this or above may be clipped and lie about it. */
const DARK = 24;
const CLIPPED = 250;
/** The brightest share of the measured pixels: the surfaces the light falls on most (walls, paper, skin, clouds). */
const BRIGHT_SHARE = 0.25;
/** Per pixel, colour beyond this on an axis counts as this much: one vivid object must not outweigh the rest. */
const CLAMP = 1.2;
/** The white balance is measured on a copy this size. */
const GLANCE_SIDE = 512;

/** Gains per channel (R, G, B) on the encoded values. */
export type Gains = [number, number, number];

/** A colour cast on the two axes (see TEMP, TINT): positive temp is warm, positive tint is magenta. */
export interface Cast {
  temp: number;
  tint: number;
}

const clamp = (v: number, limit: number) => Math.max(-limit, Math.min(limit, v));

/** What a photo's colour says about its cast: two witnesses (see castOf). */
export interface Witnesses {
  /** The mean colour of all measured pixels (grey world). */
  world: Cast;
  /** The mean colour of the brightest quarter (a robust white patch). */
  bright: Cast;
}

/**
 * The cast of a photo, as two witnesses see it: the mean colour of all its measured pixels, and that
 * of its brightest quarter. Each is a mean of per-pixel log colour, so a geometric mean, with each
 * pixel's colour clamped (CLAMP). Transparent, near-black and clipped pixels are left out. Null when
 * nothing could be measured.
 */
export function castOf(r: Raster): Witnesses | null {
  if (r.channels < 3) return null;
  const alpha = r.channels === 4 ? 3 : -1;
  const samples: Array<{ luma: number; temp: number; tint: number }> = [];
  for (let i = 0; i < r.data.length; i += r.channels) {
    if (alpha >= 0 && r.data[i + alpha]! < 128) continue;
    const [R, G, B] = [r.data[i]!, r.data[i + 1]!, r.data[i + 2]!];
    const max = Math.max(R, G, B);
    if (max < DARK || max >= CLIPPED) continue;
    const l = [Math.log(R + 1), Math.log(G + 1), Math.log(B + 1)];
    const mean = (l[0]! + l[1]! + l[2]!) / 3;
    const c = l.map((v) => v - mean);
    samples.push({
      luma: 0.2126 * R + 0.7152 * G + 0.0722 * B,
      temp: clamp(TEMP[0] * c[0]! + TEMP[1] * c[1]! + TEMP[2] * c[2]!, CLAMP),
      tint: clamp(TINT[0] * c[0]! + TINT[1] * c[1]! + TINT[2] * c[2]!, CLAMP),
    });
  }
  if (samples.length < 16) return null;
  const meanOf = (s: typeof samples): Cast => ({
    temp: s.reduce((a, p) => a + p.temp, 0) / s.length,
    tint: s.reduce((a, p) => a + p.tint, 0) / s.length,
  });
  const bright = [...samples].sort((a, b) => b.luma - a.luma).slice(0, Math.max(16, Math.round(samples.length * BRIGHT_SHARE)));
  return { world: meanOf(samples), bright: meanOf(bright) };
}

/** How much of a measured warmth (or coolness) is corrected: all of a plausible cast, a little of the scene's own light. */
function plausible(temp: number): number {
  const size = Math.abs(temp);
  if (size <= PLAUSIBLE) return temp;
  const fading = PLAUSIBLE - ((size - PLAUSIBLE) / (IMPLAUSIBLE - PLAUSIBLE)) * (PLAUSIBLE - GENTLE);
  return Math.sign(temp) * Math.max(GENTLE, fading);
}

/**
 * The correction for a photo's cast: the cast taken out, within bounds (plausible, MAX_TINT).
 * `direction` is what the prompt named: -1 cooler ("too yellow"), +1 warmer ("too blue"), 0 either
 * way ("the white balance is off"). Null when there is nothing visible to correct and the prompt
 * named no direction.
 *
 * A cast from the light tints everything: the brightest surfaces, where the light's colour shows
 * best, and the average alike. A scene whose colour is its content shows it in one more than in the
 * other (a blue sky over green grass; a brown floor under a white wall).
 * - With no direction named, only what both witnesses agree on is corrected, on each axis the
 *   smaller of the two (nothing when they disagree).
 * - A named direction is what the witnesses cannot know: the brightest surfaces are taken to show
 *   the cast, as long as the average does not say the photo leans the other way. A photo measured
 *   neutral, or cast the other way, still moves at least MIN_TEMP the way named (and no tint: a cast
 *   the prompt did not name is not corrected).
 */
export function correctionFor(w: Witnesses | null, direction: -1 | 0 | 1): Cast | null {
  const agreed = (a: number, b: number) => (Math.sign(a) !== Math.sign(b) ? 0 : Math.sign(a) * Math.min(Math.abs(a), Math.abs(b)));
  if (direction === 0) {
    if (!w) return null;
    const temp = -plausible(agreed(w.world.temp, w.bright.temp));
    const tint = -clamp(agreed(w.world.tint, w.bright.tint), MAX_TINT);
    return Math.abs(temp) < VISIBLE && Math.abs(tint) < VISIBLE ? null : { temp, tint };
  }
  // "Too yellow" (cooler) is about a warm cast: the average must not be cool.
  const opposed = !w || Math.sign(w.world.temp) === direction;
  const temp = opposed ? 0 : -plausible(w.bright.temp);
  if (Math.sign(temp) !== direction) return { temp: direction * MIN_TEMP, tint: 0 };
  // A named cast lies along the warm–cool axis, and may lean towards green or magenta in proportion
  // (a yellow cast is a greener orange): more tint than that is a cast the prompt did not name, such
  // as the green of grass and the cyan of a clear sky in a landscape called "too blue".
  const tint = -clamp(agreed(w!.world.tint, w!.bright.tint), Math.min(MAX_TINT, Math.abs(temp) * NAMED_LEAN));
  return { temp: direction * Math.max(Math.abs(temp), MIN_TEMP), tint };
}

/** Per-channel gains that make a correction, scaled so the photo's mean luma stays where it was. */
export function gainsFor(r: Raster, correction: Cast): Gains {
  const g = [0, 1, 2].map((c) => Math.exp(correction.temp * TEMP[c]! + correction.tint * TINT[c]!)) as Gains;
  const alpha = r.channels === 4 ? 3 : -1;
  let before = 0;
  let after = 0;
  for (let i = 0; i < r.data.length; i += r.channels) {
    if (alpha >= 0 && r.data[i + alpha]! < 128) continue;
    const [R, G, B] = [r.data[i]!, r.data[i + 1]!, r.data[i + 2]!];
    before += 0.2126 * R + 0.7152 * G + 0.0722 * B;
    after += 0.2126 * Math.min(255, R * g[0]) + 0.7152 * Math.min(255, G * g[1]) + 0.0722 * Math.min(255, B * g[2]);
  }
  const scale = after > 0 ? before / after : 1;
  return g.map((v) => v * scale) as Gains;
}

/**
 * "Too yellow", "it's too blue", "the white balance is off", with no amount: the colour cast
 * measured in the image (castOf) and taken out, where a fixed "cool colours by 20%" left a
 * strongly yellow photo clearly yellow. `direction`: as in correctionFor. A photo with no colour,
 * or one measured neutral when the prompt named no direction, is a 400 rather than the image back.
 */
export const correctColourCast = (direction: -1 | 0 | 1) =>
  pipeStep(`white-balance(${direction < 0 ? 'cooler' : direction > 0 ? 'warmer' : 'either'})`, async (s, ctx) => {
    if (s.channels < 3) throw errors.unsupportedEdit('The photo is black and white: it has no colour cast to correct.');
    const glance = await preview(ctx, GLANCE_SIDE);
    const correction = correctionFor(castOf(glance), direction);
    if (!correction) {
      throw errors.unsupportedEdit('The colours already look neutral: there is no colour cast to correct. Say which way if you want it anyway ("make it 10% warmer", "make it cooler").');
    }
    const gains = gainsFor(glance, correction);
    const bands = s.channels === 4 ? [...gains, 1] : gains;
    return { apply: (p) => p.linear(bands, bands.map(() => 0)), shape: s };
  });
