import { sameShapeStep } from '../pixels.ts';

/** A negative: every colour channel inverted, alpha kept. */
export const invert = sameShapeStep('invert', (p) => p.negate({ alpha: false }));
