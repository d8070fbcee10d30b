import type { Sharp } from 'sharp';
import { pipeStep } from '../pixels.ts';

/** Mirrors left-right (`horizontal`) or top-bottom (`vertical`); masks made before it are mirrored too. */
export const flip = (axis: 'horizontal' | 'vertical') => {
  // sharp's names are the other way round: flop() mirrors left-right, flip() top-bottom.
  const mirror = (p: Sharp) => (axis === 'horizontal' ? p.flop() : p.flip());
  return pipeStep(`flip(${axis})`, (s) => ({ apply: mirror, shape: s, moves: mirror }));
};
