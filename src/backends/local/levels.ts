import type { Raster } from '../../images/raster.ts';

/**
 * 256-bin histograms of a raster's encoded values: luma (Rec. 709 on the encoded values), and each
 * pixel's darkest and brightest channel. What the corrections measured from the image (exposure,
 * contrast) read.
 */
export interface Levels {
  luma: Float64Array;
  low: Float64Array;
  high: Float64Array;
}

/**
 * A raster's levels. Mostly transparent pixels are left out: a cut-out's transparent part is stored
 * black, and counting it would make the subject look dark and flat.
 */
export function levelsOf(r: Raster): Levels {
  const h: Levels = { luma: new Float64Array(256), low: new Float64Array(256), high: new Float64Array(256) };
  const colour = r.channels >= 3;
  const alpha = r.channels === 2 || r.channels === 4 ? r.channels - 1 : -1;
  for (let i = 0; i < r.data.length; i += r.channels) {
    if (alpha >= 0 && r.data[i + alpha]! < 128) continue;
    const [a, b, c] = colour ? [r.data[i]!, r.data[i + 1]!, r.data[i + 2]!] : [r.data[i]!, r.data[i]!, r.data[i]!];
    h.luma[Math.round(0.2126 * a + 0.7152 * b + 0.0722 * c)]!++;
    h.low[Math.min(a, b, c)]!++;
    h.high[Math.max(a, b, c)]!++;
  }
  return h;
}
