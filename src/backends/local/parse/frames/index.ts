import { background, pixelateSubject } from './background.ts';
import { blur, denoise, pixelate, sharpen, vignette } from './filters.ts';
import type { Frame } from './frame.ts';
import { border, cropAspect, flip, pad, resize, rotate, trim } from './geometry.ts';
import { text, watermark } from './overlay.ts';
import { recolor } from './recolor.ts';
import { brightness, contrast, grayscale, hue, invert, saturation, sepia, temperature, tint } from './tone.ts';

/**
 * Every frame, in the order they are tried; the first that reads a whole clause wins. The more
 * specific come first (a watermark before plain text, the background before whole-image edits, a
 * hue shift before a rotation, a tint before a recolour).
 */
export const FRAMES: Frame[] = [
  watermark, text, background, pixelateSubject,
  grayscale, sepia, invert, hue, tint, brightness, contrast, saturation, temperature,
  flip, rotate, cropAspect, trim, border, pad, resize,
  sharpen, blur, denoise, pixelate, vignette,
  recolor,
];
