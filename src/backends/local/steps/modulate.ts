import { sameShapeStep } from '../pixels.ts';

/** Saturation as a multiplier (sharp's LCh modulate: hue and lightness kept). */
export const saturation = (factor: number) => sameShapeStep('saturation', (p) => p.modulate({ saturation: factor }));

/** Rotates every hue by some degrees, keeping lightness and saturation. */
export const hue = (degrees: number) => sameShapeStep('hue', (p) => p.modulate({ hue: Math.round(degrees) }));
