import { sameShapeStep } from '../pixels.ts';

/** Mirrors left-right (`horizontal`) or top-bottom (`vertical`). */
export const flip = (axis: 'horizontal' | 'vertical') =>
  // sharp's names are the other way round: flop() mirrors left-right, flip() top-bottom.
  sameShapeStep(`flip(${axis})`, (p) => (axis === 'horizontal' ? p.flop() : p.flip()));
