import type { RGB } from '../parse/colors.ts';
import { pipeStep } from '../pixels.ts';

const THICKNESS = { thin: 0.01, normal: 0.025, thick: 0.05 } as const;

function extend(name: string, pixelsFor: (minSide: number) => number, color: RGB | 'transparent') {
  return pipeStep(name, (s) => {
    const px = Math.max(1, Math.round(pixelsFor(Math.min(s.width, s.height))));
    const transparent = color === 'transparent';
    const background = transparent ? { r: 0, g: 0, b: 0, alpha: 0 } : { r: color[0], g: color[1], b: color[2], alpha: 1 };
    return {
      apply: (p) => (transparent && s.channels !== 4 ? p.ensureAlpha() : p).extend({ top: px, bottom: px, left: px, right: px, background }),
      shape: { width: s.width + 2 * px, height: s.height + 2 * px, channels: transparent ? 4 : s.channels },
    };
  });
}

/** A frame of one colour around the image; named thicknesses are a share of the shorter side. */
export const border = (thickness: number | keyof typeof THICKNESS, color: RGB) =>
  extend('border', (min) => (typeof thickness === 'number' ? thickness : min * THICKNESS[thickness]), color);

/** More canvas on every side (10% of the shorter side unless a size is given). */
export const pad = (pixels: number | undefined, color: RGB | 'transparent') => extend('pad', (min) => pixels ?? min * 0.1, color);
