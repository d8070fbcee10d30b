import { errors, RetouchError } from '../../errors.ts';
import type { EngineContext, Step } from './context.ts';
import { changesGeometry, type EditOp, type EditPlan, namedThing, needsSubject } from './plan.ts';
import type { Segmenter } from './segment/index.ts';
import { backgroundStep } from './steps/background.ts';
import { recolor } from './steps/recolor.ts';
import { segment } from './steps/segment.ts';
import { applyMask } from './steps/apply-mask.ts';
import { editableArea } from './steps/editable-area.ts';
import { decode } from './steps/decode.ts';
import { encode } from './steps/encode.ts';
import { correctExposure } from './steps/exposure.ts';
import { fitSize } from './steps/fit-size.ts';
import { flip } from './steps/flip.ts';
import { grayscale } from './steps/grayscale.ts';
import { requestedSize, resize } from './steps/resize.ts';
import { rotate } from './steps/rotate.ts';
import { cropAspect } from './steps/crop-aspect.ts';
import { stretchContrast } from './steps/contrast-stretch.ts';
import { border, pad } from './steps/extend.ts';
import * as filters from './steps/filters.ts';
import { invert } from './steps/invert.ts';
import { hue, saturation } from './steps/modulate.ts';
import { overlayText } from './steps/overlay-text.ts';
import { sepia } from './steps/sepia.ts';
import { splash } from './steps/splash.ts';
import * as tone from './steps/tone.ts';
import { trim } from './steps/trim.ts';
import { vignette } from './steps/vignette.ts';
import { correctColourCast } from './steps/white-balance.ts';

function stepFor(op: EditOp): Step {
  switch (op.op) {
    case 'grayscale': return grayscale;
    case 'sepia': return sepia;
    case 'invert': return invert;
    case 'brightness': return op.auto ? correctExposure(op.factor >= 1) : tone.brightness(op.factor);
    case 'contrast': return op.auto ? stretchContrast : tone.contrast(op.factor);
    case 'saturation': return saturation(op.factor);
    case 'temperature': return op.auto ? correctColourCast(Math.sign(op.amount) as -1 | 0 | 1) : tone.temperature(op.amount);
    case 'hue': return hue(op.degrees);
    case 'tint': return tone.tint(op.color, op.strength);
    case 'rotate': return rotate(op.degrees);
    case 'flip': return flip(op.axis);
    case 'resize': return 'requested' in op ? requestedSize : resize(op);
    case 'crop-aspect': return cropAspect(op.width, op.height);
    case 'trim': return trim(op.color);
    case 'border': return border(op.thickness, op.color);
    case 'pad': return pad(op.pixels, op.color);
    case 'blur': return filters.blur(op.sigma, op.amount);
    case 'sharpen': return filters.sharpen(op.amount);
    case 'denoise': return filters.denoise(op.amount);
    case 'pixelate': return filters.pixelate(op.block, op.amount, op.region);
    case 'vignette': return vignette(op.amount);
    case 'background': return backgroundStep(op);
    case 'recolor': return recolor(op);
    case 'splash': return splash(op.keep);
    case 'text': return overlayText('text', op);
    case 'watermark': return overlayText('watermark', op);
  }
}

/** The steps that carry out a plan: decode, one step per operation, mask, size, encode. */
export function stepsFor(plan: EditPlan, hasMask: boolean, segmenter: Segmenter): Step[] {
  if (hasMask && plan.ops.some(changesGeometry)) {
    throw errors.unsupportedEdit('A mask marks places in the source image, so it cannot be combined with rotating, flipping or resizing. Send the geometry change as a separate edit.');
  }
  const part = plan.ops.find((op) => op.op === 'recolor' && op.scope === 'mask');
  if (part && !hasMask && part.op === 'recolor') {
    throw errors.unsupportedEdit(`The local engine cannot find ${part.object ? `the ${part.object}` : 'that'} on its own without recolouring other parts of the image too. Send a mask that is transparent where the ${part.object ?? 'thing'} is (the playground can paint one) with the same prompt.`);
  }
  // With the client's mask, a recolour looks where the mask says, not for the subject.
  const segments = (op: EditOp) => needsSubject(op) && !(op.op === 'recolor' && hasMask);
  // Segment once, right before the first operation that needs the subject, on the image as it is
  // then; but ahead of any border or padding before it, so the segmenter sees the photo and not a
  // frame. Steps that move pixels move the mask with them (pixels.ts, moveMasks).
  const first = plan.ops.findIndex(segments);
  const framed = plan.ops.findIndex((op, i) => i < first && (op.op === 'border' || op.op === 'pad'));
  const segmentAt = framed >= 0 ? framed : first;
  // A client's mask is read first: one that leaves nothing editable is refused before the decode.
  const steps: Step[] = hasMask ? [editableArea, decode] : [decode];
  // A thing named by a noun that a step looks for as the subject: checked on the mask, once.
  const thing = plan.ops.filter(segments).map(namedThing).find((t) => t !== undefined);
  plan.ops.forEach((op, i) => {
    if (i === segmentAt) steps.push(segment(segmenter, thing));
    steps.push(stepFor(op));
  });
  return [...steps, applyMask, fitSize, encode];
}

/**
 * Runs steps in order, stopping between steps once the request is aborted (client gone, deadline).
 * `previewAfter` lists the steps after which `onPreview` sees the pixels as they are then.
 */
export async function runSteps(ctx: EngineContext, steps: Step[], previewAfter: ReadonlySet<number> = new Set(), onPreview?: () => Promise<void>): Promise<void> {
  for (const [i, step] of steps.entries()) {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    await step.run(ctx);
    if (onPreview && previewAfter.has(i)) await onPreview();
  }
}

/**
 * Where a streaming client's partial images come from: after each of the last `count` edit steps
 * (not the decode, nor the mask, size and encode that finish every edit), so each partial shows
 * more of the edit done. A plan with fewer steps than asked for sends fewer partials, as OpenAI may.
 */
export function previewPoints(steps: Step[], count: number): Set<number> {
  const FINISHING = 3; // applyMask, fitSize, encode (see stepsFor)
  const editing = steps.map((_, i) => i).slice(steps.indexOf(decode) + 1, steps.length - FINISHING);
  return new Set(count > 0 ? editing.slice(-count) : []);
}

/**
 * Settles with `work`, or rejects with the abort reason as soon as `signal` aborts, whichever is first.
 *
 * Why: the engine checks the signal between steps, but a step inside one libvips call (or another
 * call that ignores the signal) runs to its end, and the request used to wait for it: past the
 * deadline, and after the client had gone. The request now gets its 504 or 499 at once; `work`
 * runs on, still holding its engine slot (its CPU and memory are still in use, so the accounting
 * stays honest), and gives the slot back when it ends. The plan's size check keeps that rare and short.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortError(signal: AbortSignal): RetouchError {
  return signal.reason instanceof RetouchError ? signal.reason : errors.cancelled();
}
