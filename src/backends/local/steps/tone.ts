import type { RGB } from '../parse/colors.ts';
import { linear } from './color-matrix.ts';

// Brightness and contrast as linear maps: about twice as fast as modulate() (measured, engine notes).
export const brightness = (factor: number) => linear('brightness', [factor, factor, factor], [0, 0, 0]);

/** Contrast around mid-grey, so 128 stays 128. */
export const contrast = (factor: number) => {
  const offset = 128 * (1 - factor);
  return linear('contrast', [factor, factor, factor], [offset, offset, offset]);
};

/** Warmer: more red, less blue (and a little more green for a golden rather than pink cast); cooler the reverse. */
export const temperature = (amount: number) => linear('temperature', [1 + amount * 0.6, 1 + amount * 0.1, 1 - amount * 0.6], [0, 0, 0]);

/** Blends every pixel toward a colour: out = in·(1−s) + colour·s. */
export const tint = (color: RGB, strength: number) =>
  linear('tint', [1 - strength, 1 - strength, 1 - strength], color.map((c) => c * strength) as [number, number, number]);
