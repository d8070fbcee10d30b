import { background } from './background.ts';
import { blur, denoise, pixelate, sharpen, vignette } from './filters.ts';
import { border, cropAspect, flip, pad, resize, rotate, trim } from './geometry.ts';
import { keep } from './keep.ts';
import { recolor } from './recolor.ts';
import { text, watermark } from './overlay.ts';
import type { Rule } from './shared.ts';
import { brightness, contrast, grayscale, hue, invert, saturation, sepia, temperature, tint } from './tone.ts';

export type { ParseContext, Rule } from './shared.ts';

/**
 * Every rule, in the order they are tried; the first that understands a clause wins. More specific
 * rules come first (the background before whole-image edits, a watermark before plain text, a hue shift before rotation, a tint before a
 * temperature).
 */
export const RULES: Rule[] = [
  keep,
  background, recolor,
  watermark, text,
  grayscale, sepia, invert, hue, tint, brightness, contrast, saturation, temperature,
  rotate, flip, cropAspect, trim, border, pad, resize,
  blur, sharpen, denoise, pixelate, vignette,
];
