// CPU-heavy work of the local engine, run in worker threads (piscina) so it never blocks the event
// loop: OpenCV.js GrabCut (synchronous wasm) and per-pixel loops. Plain JS so workers need no
// TypeScript loader. Each export is a task, called by name.
import { createRequire } from 'node:module';
import { dominantHue, forImage, isNeutral, membership, membershipOf, memberships } from './recolor-membership.mjs';
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

/**
 * Paints the target colour onto the pixels `weights` picks (bytes, 0–255 each), blended by weight,
 * with the thing's shading kept (recolor-paint.mjs).
 * @returns {{ data: Uint8Array, changed: number, area: number }} `changed`: pixels at least half repainted
 */
function paintWeighted(data, n, channels, weights, to, area) {
  const out = new Uint8Array(data);
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
 * A colour splash: Rec. 709 grey everywhere except the pixels of the kept colour, which keep their
 * colour. Which pixels, and how much, is the recolour's membership (recolor-membership.mjs): one
 * definition of "the red" in the engine, soft and continuous, so "keep the red" keeps the red cup and
 * not the brown table, and a kept area fades out smoothly instead of in a hard line or stripes.
 * @param {{ data: Uint8Array, width: number, height: number, channels: number, keep: [number, number, number] }} task
 * @returns {{ data: Uint8Array, kept: number, doubtful: number }} `kept`: pixels that stayed mostly in colour;
 *   `doubtful`: pixels too near the orange/brown split to place
 */
export function splash({ data, width, height, channels, keep }) {
  const n = width * height;
  const out = new Uint8Array(data);
  // A white, grey or black "colour" to keep has nothing to keep apart from the grey: nothing kept.
  // Orange or brown: split by lightness only when the image has both (forImage).
  const stats = { doubtful: 0 };
  const member = forImage(membershipOf(keep), data, n, channels, null, stats);
  const weights = member ? memberships(data, width, height, channels, member, null, stats) : new Uint8Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    const r = data[o], g = data[o + 1], b = data[o + 2];
    const grey = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const w = weights[i] / 255;
    out[o] = Math.round(grey + (r - grey) * w);
    out[o + 1] = Math.round(grey + (g - grey) * w);
    out[o + 2] = Math.round(grey + (b - grey) * w);
    if (w > 0.5) kept++;
  }
  return { data: out, kept, doubtful: stats.doubtful };
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
 * @returns {{ data: Uint8Array, changed: number, area: number, doubtful?: number }} `area`: pixels in the mask (all, without one);
 *   `doubtful`: pixels too near the orange/brown split to place
 */
export function recolor({ data, width, height, channels, mask, from, to, colorize = false }) {
  const n = width * height;
  let area = n;
  if (mask) {
    area = 0;
    for (let i = 0; i < n; i++) if (mask[i] >= 128) area++;
  }
  // A white, grey or black thing ("the black bag"): no hue to select by, so select by lightness
  // among low-chroma pixels inside the mask (recolor-membership.mjs), and colourise those.
  if (from && mask && isNeutral(from)) {
    const weights = memberships(data, width, height, channels, membershipOf(from, { neutrals: true }), mask);
    return paintWeighted(data, n, channels, weights, to, area);
  }
  // The client's mask is the thing when the prompt names no colour to look for inside it.
  if (!from && colorize && mask) return paintWeighted(data, n, channels, mask, to, area);
  let member = from ? membershipOf(from) : null;
  if (!from) {
    const hue = dominantHue(data, n, channels, (i) => (mask ? mask[i] / 255 : 1));
    member = hue === null ? null : membership(hue);
  }
  const stats = { doubtful: 0 };
  // Orange or brown: split by lightness only when the image (inside the mask) has both (forImage).
  member = forImage(member, data, n, channels, mask, stats);
  if (!member) return { data: new Uint8Array(data), changed: 0, area, doubtful: 0 };
  const weights = memberships(data, width, height, channels, member, mask, stats);
  return { ...paintWeighted(data, n, channels, weights, to, area), doubtful: stats.doubtful };
}
