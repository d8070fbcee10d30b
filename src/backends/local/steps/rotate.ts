import { pipeStep } from '../pixels.ts';

/**
 * Rotates clockwise by any angle. Right angles are exact pixel moves; other angles grow the canvas to
 * fit, and the new corners are transparent (made opaque white later if the output has no alpha).
 */
export const rotate = (degrees: number) =>
  pipeStep(`rotate(${degrees})`, (s) => {
    const right = degrees % 90 === 0;
    const quarter = ((degrees / 90) % 2 + 2) % 2 === 1;
    return {
      apply: (p) => (right || s.channels === 4 ? p : p.ensureAlpha()).rotate(degrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } }),
      // Other angles: the grown canvas is sharp's to compute, so the result is materialised.
      shape: !right ? undefined : quarter ? { ...s, width: s.height, height: s.width } : s,
      // Masks turn with the image; the corners a turn adds are neither subject nor frame.
      moves: (m, added) => m.rotate(degrees, { background: { r: added, g: added, b: added, alpha: 1 } }),
    };
  });
