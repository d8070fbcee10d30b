import { errors } from '../../errors.ts';
import type { EditRequest } from '../../edits/request.ts';
import { MAX_SIDE, targetDimensions } from '../../edits/size.ts';
import { describeOp, type EditOp, type EditPlan } from './plan.ts';
import { borderPixels, padPixels } from './steps/extend.ts';

export interface Size { width: number; height: number }

/** The largest size an edit may give: each side and the pixel count. */
export interface OutputLimits { maxSide: number; maxPixels: number }

/**
 * Refuses a step that would give a size beyond the limits, saying which limit: one wording for
 * every step that can grow the image ("Resizing 800x600 that way gives 16000x12000; …").
 */
export function checkOutputSize(action: string, from: Size, to: Size, limits: OutputLimits, how = ''): Size {
  const gives = `${action} ${from.width}x${from.height}${how} gives ${to.width}x${to.height}`;
  if (to.width < 1 || to.height < 1 || to.width > limits.maxSide || to.height > limits.maxSide) {
    throw errors.unsupportedEdit(`${gives}; each side must be from 1 to ${limits.maxSide} pixels.`);
  }
  if (to.width * to.height > limits.maxPixels) {
    const mp = (n: number) => `${(n / 1e6).toFixed(1)} MP`;
    throw errors.unsupportedEdit(`${gives} (${mp(to.width * to.height)}); the result may have at most ${mp(limits.maxPixels)}.`);
  }
  return to;
}

export type ResizeTarget = { scale: number } | { longest: number } | { width?: number; height?: number };

/** The pixel size a resize asks for, refused when it would leave the supported range. */
export function resizedDimensions(width: number, height: number, target: ResizeTarget, limits: OutputLimits = { maxSide: MAX_SIDE, maxPixels: Infinity }): Size {
  let w: number;
  let h: number;
  if ('scale' in target || 'longest' in target) {
    const scale = 'scale' in target ? target.scale : target.longest / Math.max(width, height);
    w = Math.round(width * scale);
    h = Math.round(height * scale);
  } else {
    w = target.width ?? Math.round((width * target.height!) / height);
    h = target.height ?? Math.round((height * target.width!) / width);
  }
  return checkOutputSize('Resizing', { width, height }, { width: w, height: h }, limits, ' that way');
}

/** What an operation looks at that a single pixel does not have; null for operations on each pixel alone. */
function partsNeeded(op: EditOp): string | null {
  switch (op.op) {
    case 'background': return 'subject and background';
    case 'recolor': return op.scope === 'subject' ? 'subject to find' : null;
    case 'pixelate': return op.region === 'all' ? 'neighbours to make blocks with' : 'subject and background';
    case 'blur': case 'sharpen': case 'denoise': return 'neighbours to work with';
    case 'vignette': return 'corners';
    case 'text': case 'watermark': return 'room for text';
    default: return null;
  }
}

/**
 * Refuses an operation that cannot change an image of this size, rather than return it unchanged:
 * a single pixel has no background to blur, no corners to darken; a crop to 16:9 of a 1x1 image
 * is still 1x1. A resize to the size an image already has is not refused: the answer is what was asked.
 */
function checkMeaningful(op: EditOp, s: Size): void {
  const parts = partsNeeded(op);
  if (parts && s.width * s.height === 1) {
    throw errors.unsupportedEdit(`The image is a single pixel (1x1): it has no ${parts}, so "${describeOp(op)}" would change nothing.`);
  }
  if (op.op === 'crop-aspect') {
    const to = targetDimensions({ kind: 'aspect', width: op.width, height: op.height }, s.width, s.height);
    // The crop keeps whole pixels, so a small image only comes near the ratio (10x10 to 16:9 is
    // 10x6, 6% off); beyond 10% it is another shape (1x1 stays 1x1).
    if (Math.abs(to.width / to.height / (op.width / op.height) - 1) > 0.1) {
      throw errors.unsupportedEdit(`Cropping ${s.width}x${s.height} to ${op.width}:${op.height} gives ${to.width}x${to.height}, which is not ${op.width}:${op.height}: the image is too small for that shape.`);
    }
  }
}

/** What an operation does to the image's size, and how to say it in a refusal. */
function sizeAfter(op: EditOp, s: Size, limits: OutputLimits): Size {
  const min = Math.min(s.width, s.height);
  switch (op.op) {
    case 'rotate': {
      if (op.degrees % 90 === 0) return ((op.degrees / 90) % 2 + 2) % 2 === 1 ? { width: s.height, height: s.width } : s;
      // Other angles grow the canvas to hold the turned image (libvips rounds the same way).
      const a = (op.degrees * Math.PI) / 180;
      const cos = Math.abs(Math.cos(a)), sin = Math.abs(Math.sin(a));
      const to = { width: Math.round(s.width * cos + s.height * sin), height: Math.round(s.width * sin + s.height * cos) };
      return checkOutputSize('Rotating', s, to, limits, ` by ${op.degrees} degrees`);
    }
    case 'resize': {
      // "Resize it" without a size: the request's `size` does it, at the end.
      if ('requested' in op) return s;
      return resizedDimensions(s.width, s.height, op, { maxSide: MAX_SIDE, maxPixels: limits.maxPixels });
    }
    case 'crop-aspect': return targetDimensions({ kind: 'aspect', width: op.width, height: op.height }, s.width, s.height);
    case 'border': {
      const px = borderPixels(op.thickness, min);
      return checkOutputSize(`Adding a ${px}px border to`, s, { width: s.width + 2 * px, height: s.height + 2 * px }, limits);
    }
    case 'pad': {
      const px = padPixels(op.pixels, min);
      return checkOutputSize(`Adding ${px}px of canvas on each side of`, s, { width: s.width + 2 * px, height: s.height + 2 * px }, limits);
    }
    // Trimming can only shrink the image; by how much depends on the pixels. Everything else keeps the size.
    default: return s;
  }
}

/** The longest side each output format can hold (PNG's is beyond any accepted image). */
const FORMAT_SIDE: Partial<Record<EditRequest['outputFormat'], number>> = { webp: 16383, jpeg: 65535 };

/**
 * A result the output format cannot hold (an upload 17000 px wide, edited to WebP) is a 400 naming
 * the format: the encoder failed inside the pipeline that still decoded the upload, and the upload
 * was blamed as corrupt.
 */
function checkFormatSide(format: EditRequest['outputFormat'], size: Size): void {
  const side = FORMAT_SIDE[format];
  if (side && Math.max(size.width, size.height) > side) {
    throw errors.invalidValue('output_format', `The result would be ${size.width}x${size.height}, and ${format.toUpperCase()} holds at most ${side} pixels a side: ask for output_format 'png'${format === 'webp' ? " or 'jpeg'" : ''}, or a smaller size.`);
  }
}

/**
 * The size after each step of the plan, from the first image's header, checked against the limits
 * before the edit takes a slot or decodes a pixel: a border of 100000 px is refused at once, not
 * after minutes of encoding; so is a step that cannot change an image of the size it gets. Returns
 * the largest pixel count any step holds, which the engine's slots are weighed by. An upload larger
 * than `MAX_SIDE` may keep its size (a rotation), not grow.
 */
export function planPixels(plan: EditPlan, request: EditRequest, maxPixels: number): number {
  const first = request.images[0]!;
  let size: Size = { width: first.width, height: first.height };
  const limits = { maxSide: Math.max(MAX_SIDE, first.width, first.height), maxPixels: Math.max(maxPixels, first.width * first.height) };
  let largest = size.width * size.height;
  for (const op of plan.ops) {
    checkMeaningful(op, size);
    size = sizeAfter(op, size, limits);
    largest = Math.max(largest, size.width * size.height);
  }
  // The request's `size` (validated against the same side limit) is the last step.
  const final = targetDimensions(request.size, size.width, size.height);
  checkFormatSide(request.outputFormat, final);
  return Math.max(largest, final.width * final.height);
}
