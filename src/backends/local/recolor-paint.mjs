// How a recoloured pixel is painted: in linear light, as a surface of the target colour under the
// light that fell on the old one. Plain JS, imported by workers.mjs (worker threads run without a
// TypeScript loader).

/** sRGB 0–255 → linear light, by table. */
const LINEAR = Float64Array.from({ length: 256 }, (_, i) => {
  const v = i / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
});

const encode = (v) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055) * 255;

/** Relative luminance (Rec. 709) of linear RGB. */
const luminance = (r, g, b) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/** Luminance of an sRGB pixel, 0–1. */
export const luminanceOf = (r, g, b) => luminance(LINEAR[r], LINEAR[g], LINEAR[b]);

/**
 * The luminance range a painted thing has on average. A black thing under light is dark grey
 * (sRGB about 30), not black, and a white one a little below white (about 242): a thing painted
 * either way keeps its shading.
 */
const DARKEST = LINEAR[30];
const LIGHTEST = LINEAR[242];

/** The most a saturated target is worn darker so its lit parts keep their colour (see painter). */
const FIT = 0.6;
/** The brightest a painted thing's lit parts go, short of white, so a specular highlight still shows above them. */
const BRIGHTEST = 0.97;

/**
 * The target colour as the thing wears it: what a pixel becomes from its luminance and the thing's
 * luminance (`thing`: the mean and the 99th percentile, over the pixels recoloured).
 *
 * A pixel is reflectance times the light that falls on it. Recolouring changes the reflectance to
 * the target's and keeps the light: the target's linear RGB times the pixel's luminance relative
 * to the thing's mean. So the thing takes the target's lightness ("navy" comes out dark, "light
 * pink" light, where the old hue rotation kept the red cup's brightness), and its shading (which
 * parts are lighter or darker, and by how much) is kept.
 *
 * Strong shading can ask for more light than the target can show, and would bleach the thing's lit
 * half. A light target (white, light pink) has its shading compressed (a power below 1) just enough
 * that its lit parts (the 99th percentile) stay under BRIGHTEST; ordering is kept. A saturated one
 * (blue, orange: a channel at its peak already) is worn up to FIT darker, so that its lit parts show
 * the full colour rather than a pastel. Past both, a highlight goes towards white at the luminance
 * it should have, keeping its hue, as a highlight does.
 */
export function painter(target, thing) {
  let t = target.map((c) => LINEAR[c]);
  const tY = luminance(t[0], t[1], t[2]);
  let wear = Math.min(LIGHTEST, Math.max(DARKEST, tY));
  // Black has no colour to scale: it is worn as dark grey.
  t = tY > 0 ? t.map((c) => (c * wear) / tY) : [wear, wear, wear];
  const mean = Math.max(1e-4, thing.mean);
  const lit = thing.high / mean;
  const power = lit > 1 && wear * lit > BRIGHTEST ? Math.log(BRIGHTEST / wear) / Math.log(lit) : 1;
  const fit = Math.min(1, Math.max(FIT, 1 / (Math.max(t[0], t[1], t[2]) * lit ** power)));
  t = t.map((c) => c * fit);
  wear *= fit;
  const peak = Math.max(t[0], t[1], t[2]);
  const full = t.map((c) => c / peak); // the hue at its brightest, a channel at 1
  const fullY = luminance(full[0], full[1], full[2]);
  const colourAt = (y) => {
    const shade = (y / mean) ** power;
    if (peak * shade <= 1) return t.map((c) => encode(c * shade));
    // Past the brightest the hue allows: towards white, at the luminance the light asks for.
    const k = fullY < 1 ? Math.max(0, (Math.min(1, wear * shade) - fullY) / (1 - fullY)) : 0;
    return full.map((c) => encode(c + (1 - c) * k));
  };
  // The colour depends on the pixel's luminance alone: a table over luminance, so a 12-megapixel
  // recolour costs a lookup a pixel, not a power and three encodes.
  const table = new Float32Array(STEPS * 3);
  for (let i = 0; i < STEPS; i++) table.set(colourAt(i / (STEPS - 1)), i * 3);
  /** Writes the painted colour of an sRGB pixel into `into` (three values, 0–255). */
  return (r, g, b, into) => {
    const i = Math.round(luminanceOf(r, g, b) * (STEPS - 1)) * 3;
    into[0] = table[i];
    into[1] = table[i + 1];
    into[2] = table[i + 2];
  };
}

/** Luminance steps of the painter's table: finer than one sRGB level of grey, even next to black. */
const STEPS = 16384;

const BINS = 1024;

/**
 * The mean and 99th-percentile luminance of the pixels `weight` picks (those at least half
 * picked, by weight), or null for none.
 */
export function luminanceOfThing(data, n, channels, weight) {
  const hist = new Float64Array(BINS);
  let sum = 0, count = 0;
  for (let i = 0; i < n; i++) {
    const w = weight(i);
    if (w < 0.5) continue;
    const o = i * channels;
    const y = luminanceOf(data[o], data[o + 1], data[o + 2]);
    sum += y * w;
    count += w;
    hist[Math.min(BINS - 1, Math.floor(y * BINS))] += w;
  }
  if (!count) return null;
  let above = 0, bin = BINS - 1;
  for (; bin > 0; bin--) {
    above += hist[bin];
    if (above > count * 0.01) break;
  }
  return { mean: sum / count, high: (bin + 1) / BINS };
}
