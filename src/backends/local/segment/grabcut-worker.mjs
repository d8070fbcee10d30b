// Runs in a worker thread (piscina): OpenCV.js GrabCut is synchronous wasm and would otherwise
// block the event loop for hundreds of milliseconds. Plain JS so workers need no TypeScript loader.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @type {Promise<any>} */
const ready = new Promise((resolve) => {
  const mod = require('@techstark/opencv-js');
  // The Emscripten module is a thenable that resolves to itself: awaiting it directly loops
  // forever, so take its `then` away before handing it on.
  mod.then((cv) => {
    delete cv.then;
    resolve(cv);
  });
});

/**
 * @param {{ data: Uint8Array, width: number, height: number, iterations?: number }} task RGB pixels
 * @returns {Promise<Uint8Array>} one byte per pixel: 255 subject, 0 background
 */
export default async function grabCut({ data, width, height, iterations = 5 }) {
  const cv = await ready;
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
