// CPU-heavy work of the local engine, run in worker threads (piscina) so it never blocks the event
// loop: OpenCV.js GrabCut (synchronous wasm) and per-pixel loops. Plain JS so workers need no
// TypeScript loader. Each export is a task, called by name.
import { createRequire } from 'node:module';

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

function rgbOf(h, s, v) {
  const c = v * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = v - c;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

const hueDistance = (a, b) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

function colorizeMasked(data, out, n, channels, mask, toH, toS, toV, area) {
  // The thing takes the target's lightness, and keeps its own shading around it: each pixel's
  // lightness relative to the thing's mean, so a black bag becomes a red one, not a near-black red.
  let sumV = 0, count = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] < 128) continue;
    const o = i * channels;
    sumV += Math.max(data[o], data[o + 1], data[o + 2]) / 255;
    count++;
  }
  const meanV = count ? Math.max(0.04, sumV / count) : 0.5;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const w = mask[i] / 255;
    if (w === 0) continue;
    const o = i * channels;
    const r = data[o], g = data[o + 1], b = data[o + 2];
    const v = Math.max(r, g, b) / 255;
    const shade = Math.min(1.3, Math.max(0.45, v / meanV));
    const [nr, ng, nb] = toS < 0.1 ? rgbOf(0, 0, Math.min(1, toV * shade)) : rgbOf(toH, Math.max(0.35, toS * 0.85), Math.min(1, Math.max(0.25, toV * 0.9) * shade));
    out[o] = Math.round(r + (nr - r) * w);
    out[o + 1] = Math.round(g + (ng - g) * w);
    out[o + 2] = Math.round(b + (nb - b) * w);
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
 * Recolours pixels whose hue lies near that of `from` (or, without one, near the dominant hue inside the
 * mask) to the target colour's hue, keeping each pixel's saturation and value so shading survives.
 * Selection has a soft edge in hue and is weighted by the subject mask when there is one.
 * @param {{ data: Uint8Array, width: number, height: number, channels: number, mask: Uint8Array | null,
 *   from: [number, number, number] | null, to: [number, number, number] }} task
 * @returns {{ data: Uint8Array, changed: number, area: number }} `area`: pixels in the mask (all, without one)
 */
export function recolor({ data, width, height, channels, mask, from, to, colorize = false }) {
  const n = width * height;
  let area = n;
  if (mask) {
    area = 0;
    for (let i = 0; i < n; i++) if (mask[i] >= 128) area++;
  }
  const MIN_S = 0.22;
  const MIN_V = 0.12;
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
    const [toH0, toS0, toV0] = hsv(to[0], to[1], to[2]);
    return colorizeMasked(data, new Uint8Array(data), n, channels, select, toH0, toS0, toV0, area);
  }
  let source = from ? hsv(from[0], from[1], from[2])[0] : null;
  if (source === null) {
    // The dominant hue of saturated pixels inside the mask, from a 36-bin histogram.
    const bins = new Float64Array(36);
    for (let i = 0; i < n; i++) {
      const w = mask ? mask[i] / 255 : 1;
      if (w < 0.5) continue;
      const o = i * channels;
      const [h, s, v] = hsv(data[o], data[o + 1], data[o + 2]);
      if (s >= MIN_S && v >= MIN_V) bins[Math.floor(h / 10) % 36] += s;
    }
    let best = -1;
    for (let b = 0; b < 36; b++) if (best < 0 || bins[b] > bins[best]) best = b;
    source = bins[best] > 0 ? best * 10 + 5 : null;
  }
  const out = new Uint8Array(data);
  const [toH, toS, toV] = hsv(to[0], to[1], to[2]);
  // A client's mask over something white, grey or black has no hue to rotate: give it the target's
  // hue and saturation at its own lightness, so the shading stays.
  if (source === null && colorize && mask) return colorizeMasked(data, out, n, channels, mask, toH, toS, toV, area);
  if (source === null) return { data: out, changed: 0, area };
  const achromatic = toS < 0.1;
  const INNER = 22;
  const OUTER = 38;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const wMask = mask ? mask[i] / 255 : 1;
    if (wMask === 0) continue;
    const o = i * channels;
    const r = data[o], g = data[o + 1], b = data[o + 2];
    const [h, s, v] = hsv(r, g, b);
    if (s < MIN_S || v < MIN_V) continue;
    const d = hueDistance(h, source);
    if (d >= OUTER) continue;
    const wHue = d <= INNER ? 1 : (OUTER - d) / (OUTER - INNER);
    const w = wHue * wMask;
    // Chromatic targets take the new hue and keep shading; white, grey and black take the target's
    // lightness and lose saturation.
    const [nr, ng, nb] = achromatic ? rgbOf(0, 0, Math.min(1, v * (0.35 + toV))) : rgbOf(toH, Math.max(s, toS * 0.6), v);
    out[o] = Math.round(r + (nr - r) * w);
    out[o + 1] = Math.round(g + (ng - g) * w);
    out[o + 2] = Math.round(b + (nb - b) * w);
    if (w > 0.5) changed++;
  }
  return { data: out, changed, area };
}
