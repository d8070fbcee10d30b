import { errors } from '../../../errors.ts';
import type { RGB } from '../parse/colors.ts';
import { pipeStep } from '../pixels.ts';

const THICKNESS = { thin: 0.01, normal: 0.025, thick: 0.05 } as const;
export type Thickness = number | keyof typeof THICKNESS;

/**
 * The pixels a border adds on each side of an image whose shorter side is `minSide`: named
 * thicknesses are a share of it (at least 1 px); a number is taken as said, and 0 px is refused
 * (a border of nothing would return the image as if it had been framed).
 */
export function borderPixels(thickness: Thickness, minSide: number): number {
  if (typeof thickness !== 'number') return Math.max(1, Math.round(minSide * THICKNESS[thickness]));
  return exactPixels(thickness, 'border');
}

/** The pixels padding adds on each side: 10% of the shorter side (at least 1 px) unless a size is given. */
export function padPixels(pixels: number | undefined, minSide: number): number {
  return pixels === undefined ? Math.max(1, Math.round(minSide * 0.1)) : exactPixels(pixels, 'padding');
}

function exactPixels(px: number, what: 'border' | 'padding'): number {
  const rounded = Math.round(px);
  if (rounded < 1) throw errors.unsupportedEdit(`A ${px}px ${what} adds nothing, so the image would come back unchanged: say a size of at least 1px.`);
  return rounded;
}

function extend(name: string, pixelsFor: (minSide: number) => number, color: RGB | 'transparent') {
  return pipeStep(name, (s) => {
    const px = pixelsFor(Math.min(s.width, s.height));
    const transparent = color === 'transparent';
    const background = transparent ? { r: 0, g: 0, b: 0, alpha: 0 } : { r: color[0], g: color[1], b: color[2], alpha: 1 };
    return {
      apply: (p) => (transparent && s.channels !== 4 ? p.ensureAlpha() : p).extend({ top: px, bottom: px, left: px, right: px, background }),
      shape: { width: s.width + 2 * px, height: s.height + 2 * px, channels: transparent ? 4 : s.channels },
      moves: (m, added) => m.extend({ top: px, bottom: px, left: px, right: px, background: { r: added, g: added, b: added, alpha: 1 } }),
      frames: true,
    };
  });
}

/** A frame of one colour around the image; named thicknesses are a share of the shorter side. */
export const border = (thickness: Thickness, color: RGB) => extend('border', (min) => borderPixels(thickness, min), color);

/** More canvas on every side (10% of the shorter side unless a size is given). */
export const pad = (pixels: number | undefined, color: RGB | 'transparent') => extend('pad', (min) => padPixels(pixels, min), color);
