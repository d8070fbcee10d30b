import { colorMatrix, LUMA_MATRIX } from './color-matrix.ts';

/**
 * Black and white as a colour matrix rather than sharp's grayscale(): on raw input grayscale()
 * returns a single band and drops the alpha channel, while recomb keeps RGB (for later colour
 * steps) and leaves alpha untouched.
 */
export const grayscale = colorMatrix('grayscale', LUMA_MATRIX);
