// CPU-heavy work of the local engine, run in worker threads (piscina) so it never blocks the event
// loop: OpenCV.js GrabCut (synchronous wasm) and per-pixel loops. Plain JS so workers need no
// TypeScript loader. Each export is a task, called by name.
import { createRequire } from 'node:module';
import { dominantHue, membership, membershipOf, memberships } from './recolor-membership.mjs';
import { luminanceOfThing, painter } from './recolor-paint.mjs';

const require = createRequire(import.meta.url);

/** @type {Promise<any> | undefined} */
let opencv;

/**
 * OpenCV.js, loaded by the first task that needs it: its wasm heap is tens of megabytes that a
 * worker doing only recolouring, or a server that never segments, should not hold.
 */
function loadOpenCV() {
  opencv ??= new Promise((resolve) => {
    const mod = require('@techstark/opencv-js');
    // The Emscripten module is a thenable that resolves to itself: awaiting it directly loops
    // forever, so take its `then` away before handing it on.
    mod.then((cv) => {
      delete cv.then;
      resolve(cv);
    });
  });
  return opencv;
}

/**
 * @param {{ data: Uint8Array, width: number, height: number, iterations?: number }} task RGB pixels
 * @returns {Promise<Uint8Array>} one byte per pixel: 255 subject, 0 background
 */
export async function grabCut({ data, width, height, iterations = 5 }) {
  const cv = await loadOpenCV();
  const src = cv.matFromArray(height, width, cv.CV_8UC3, data);
  const mask = new cv.Mat();
  const bgd = new cv.Mat();
  const fgd = new cv.Mat();
  try {
    // The subject is assumed to lie inside a centred rectangle leaving a 5% margin: product shots,
    // portraits and most "remove the background" photos are framed that way.
    // GrabCut seeds k-means from OpenCV's global RNG, whose state would carry over from the last
    // call in this worker: reset it so the same image always gives the same mask.
    cv.setRNGSeed(0x5eed);
    const mx = Math.max(1, Math.round(width * 0.05));
    const my = Math.max(1, Math.round(height * 0.05));
    cv.grabCut(src, mask, new cv.Rect(mx, my, width - 2 * mx, height - 2 * my), bgd, fgd, iterations, cv.GC_INIT_WITH_RECT);
    const binary = new cv.Mat(height, width, cv.CV_8UC1);
    const m = mask.data;
    const b = binary.data;
    for (let i = 0; i < b.length; i++) b[i] = m[i] === 1 || m[i] === 3 ? 255 : 0;
    // GrabCut leaves specks on textured backgrounds; a median filter removes them and fills pinholes.
    const clean = new cv.Mat();
    cv.medianBlur(binary, clean, 7);
    const out = new Uint8Array(clean.data);
    binary.delete(); clean.delete();
    return out;
  } finally {
    src.delete(); mask.delete(); bgd.delete(); fgd.delete();
  }
}

/** RGB → hue (degrees), saturation and value (0–1). */
function hsv(r, g, b) {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h = (h * 60 + 360) % 360;
  }
  return [h, max === 0 ? 0 : d / max, max / 255];
}

const hueDistance = (a, b) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

/**
 * Paints the target colour onto the pixels `weight` picks (0–1 each), blended by weight, with the
 * thing's shading kept (recolor-paint.mjs).
 * @returns {{ data: Uint8Array, changed: number, area: number }} `changed`: pixels at least half repainted
 */
function paintWeighted(data, n, channels, weight, to, area) {
  const out = new Uint8Array(data);
  // Weights are read twice (the thing's means, then the painting): kept as bytes, not recomputed.
  const weights = new Uint8Array(n);
  for (let i = 0; i < n; i++) weights[i] = Math.round(weight(i) * 255);
  const thing = luminanceOfThing(data, n, channels, (i) => weights[i] / 255);
  if (!thing) return { data: out, changed: 0, area };
  const paint = painter(to, thing);
  const painted = new Float32Array(3);
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i] / 255;
    if (w === 0) continue;
    const o = i * channels;
    const r = data[o], g = data[o + 1], b = data[o + 2];
    paint(r, g, b, painted);
    out[o] = Math.round(r + (painted[0] - r) * w);
    out[o + 1] = Math.round(g + (painted[1] - g) * w);
    out[o + 2] = Math.round(b + (painted[2] - b) * w);
    if (w > 0.5) changed++;
  }
  return { data: out, changed, area };
}

/**
 * A colour splash: Rec. 709 grey everywhere except pixels near the kept hue, which keep their colour,
 * with a soft edge in hue and saturation so the kept areas do not end in a hard line.
 * @param {{ data: Uint8Array, width: number, height: number, channels: number, keep: [number, number, number] }} task
 * @returns {{ data: Uint8Array, kept: number }} `kept`: pixels that stayed mostly in colour
 */
export function splash({ data, width, height, channels, keep }) {
  const n = width * height;
  const source = hsv(keep[0], keep[1], keep[2])[0];
  const out = new Uint8Array(data);
  const INNER = 20;
  const OUTER = 35;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    const r = data[o], g = data[o + 1], b = data[o + 2];
    const grey = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const [h, s, v] = hsv(r, g, b);
    const d = hueDistance(h, source);
    const wHue = d <= INNER ? 1 : d >= OUTER ? 0 : (OUTER - d) / (OUTER - INNER);
    const wSat = Math.min(1, Math.max(0, (s - 0.15) / 0.15)) * Math.min(1, Math.max(0, (v - 0.1) / 0.1));
    const w = wHue * wSat;
    out[o] = Math.round(grey + (r - grey) * w);
    out[o + 1] = Math.round(grey + (g - grey) * w);
    out[o + 2] = Math.round(grey + (b - grey) * w);
    if (w > 0.5) kept++;
  }
  return { data: out, kept };
}

/**
 * Recolours the pixels of the colour `from` (or, without one, of the dominant hue inside the mask)
 * to the target colour: its hue, lightness and chroma, with the thing's shading kept (paintWeighted).
 * Which pixels, and how much, is a continuous function of their colour (recolor-membership.mjs),
 * weighted by the subject mask when there is one. A client's mask with no colour named is the thing
 * itself ("make the sky purple" over the sky): all of it is painted, as the README promises
 * ("with a mask, exactly the masked area changes").
 * @param {{ data: Uint8Array, width: number, height: number, channels: number, mask: Uint8Array | null,
 *   from: [number, number, number] | null, to: [number, number, number], colorize?: boolean }} task
 * @returns {{ data: Uint8Array, changed: number, area: number }} `area`: pixels in the mask (all, without one)
 */
export function recolor({ data, width, height, channels, mask, from, to, colorize = false }) {
  const n = width * height;
  let area = n;
  if (mask) {
    area = 0;
    for (let i = 0; i < n; i++) if (mask[i] >= 128) area++;
  }
  // A white, grey or black thing ("the black bag"): no hue to select by, so select by lightness
  // among unsaturated pixels inside the mask, and colourise those.
  if (from && mask && hsv(from[0], from[1], from[2])[1] < 0.15) {
    const fromV = hsv(from[0], from[1], from[2])[2];
    const select = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0) continue;
      const o = i * channels;
      const [, s, v] = hsv(data[o], data[o + 1], data[o + 2]);
      if (s > 0.3) continue;
      const dv = Math.abs(v - fromV);
      const w = dv <= 0.2 ? 1 : dv >= 0.35 ? 0 : (0.35 - dv) / 0.15;
      select[i] = Math.round(mask[i] * w);
    }
    return paintWeighted(data, n, channels, (i) => select[i] / 255, to, area);
  }
  // The client's mask is the thing when the prompt names no colour to look for inside it.
  if (!from && colorize && mask) return paintWeighted(data, n, channels, (i) => mask[i] / 255, to, area);
  let member = from ? membershipOf(from) : null;
  if (!from) {
    const hue = dominantHue(data, n, channels, (i) => (mask ? mask[i] / 255 : 1));
    member = hue === null ? null : membership(hue);
  }
  if (!member) return { data: new Uint8Array(data), changed: 0, area };
  const weights = memberships(data, width, height, channels, member, mask);
  return paintWeighted(data, n, channels, (i) => weights[i] / 255, to, area);
}
