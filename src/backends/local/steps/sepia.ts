import { colorMatrix } from './color-matrix.ts';

/** The classic sepia matrix (Microsoft's, widely used by image editors). */
export const sepia = colorMatrix('sepia', [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]]);
