import { pipeStep, sameShapeStep } from '../pixels.ts';

type Matrix = [[number, number, number], [number, number, number], [number, number, number]];

const LUMA: [number, number, number] = [0.2126, 0.7152, 0.0722];
/** Rec. 709 luma in every output channel: black and white that stays RGB. */
export const LUMA_MATRIX: Matrix = [LUMA, LUMA, LUMA];

/** A step that multiplies RGB by a 3x3 matrix, leaving alpha alone (sepia, and kin). */
export const colorMatrix = (name: string, matrix: Matrix) =>
  pipeStep(name, (s) => (s.channels < 3 ? null : { apply: (p) => p.recomb(matrix), shape: s }));

/** A step that maps each channel linearly: out = a·in + b (brightness, contrast, tint, warmth). */
export const linear = (name: string, a: [number, number, number], b: [number, number, number]) =>
  sameShapeStep(name, (p, s) => {
    // With alpha, sharp's linear() wants a value per band; alpha passes through unchanged.
    const withAlpha = s.channels === 4;
    return p.linear(withAlpha ? [...a, 1] : a, withAlpha ? [...b, 0] : b);
  });
