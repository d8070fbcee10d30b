import { startFromUpload } from '../pixels.ts';
import type { Step } from '../context.ts';

/**
 * Decodes the first image (EXIF orientation applied) under the pixel cap; for plain 8-bit sRGB
 * uploads the decode stays pending, to run in one pipeline with the next operation.
 */
export const decode: Step = {
  name: 'decode',
  run: startFromUpload,
};
