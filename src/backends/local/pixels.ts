import type { Sharp } from 'sharp';
import { corruptImage, decodeImage, fromRaster, openUpload, type Raster, toRaster } from '../../images/raster.ts';
import type { EngineContext, Step } from './context.ts';
import { needsSubject } from './plan.ts';

/** Width, height and channel count of the current pixels, known before they are computed. */
export interface Shape {
  width: number;
  height: number;
  channels: number;
}

/**
 * Pixels not computed yet: one sharp pipeline that the next step either extends or runs.
 *
 * Why: a step that reads and writes raw buffers makes libvips decode, operate and encode in three
 * passes, one after the other. Left pending, decode → operation → encode stream through a single
 * pipeline (libvips overlaps the work on both cores and never holds a whole raw copy), which is
 * what brings the engine within reach of sharp on its own (docs/performance.md).
 */
export interface PendingPixels {
  pipeline: Sharp;
  shape: Shape;
  /**
   * sharp applies the operations of one pipeline in its own fixed order, not in call order, so a
   * pipeline carries at most one step's operation; the next step's runs on the materialised result.
   */
  hasOperation: boolean;
  /** Set while the pipeline still reads the upload, so that a failure is reported as a bad image. */
  decodes?: { bytes: Buffer; format: string; param: string };
}

/** What a fusable step does to pixels of a shape: sharp calls, and the shape they give (undefined: not known ahead). */
export interface PipeOperation {
  apply: (p: Sharp) => Sharp;
  shape: Shape | undefined;
  /**
   * For operations that move pixels (rotate, flip, crop, resize, border): the same move on a
   * one-band mask, `added` filling any canvas it adds, so masks made before it still line up after.
   */
  moves?: Move;
  /** The canvas it adds frames the image (border, padding): background edits leave it alone. */
  frames?: boolean;
}

/** A pixel move applied to a one-band mask; `added` is the value of canvas the move adds. */
export type Move = (mask: Sharp, added: number) => Sharp;

/** Starts the pixels of an upload as a pending decode, or decodes now when steps need raw pixels anyway. */
export async function startFromUpload(ctx: EngineContext): Promise<void> {
  const image = ctx.request.images[0]!;
  // Fusing needs the decoded shape ahead of time; the header gives it for 8-bit sRGB inputs.
  // Grey, CMYK and 16-bit inputs are converted by a real decode first.
  if (ctx.request.mask || !image.decodedChannels) {
    ctx.raster = await decodeImage(image, ctx.maxPixels);
    if (ctx.request.mask) ctx.original = ctx.raster;
    return;
  }
  ctx.pending = {
    pipeline: openUpload(image.bytes, ctx.maxPixels),
    shape: { width: image.width, height: image.height, channels: image.decodedChannels },
    hasOperation: false,
    decodes: { bytes: image.bytes, format: image.format, param: 'image' },
  };
}

/** The shape of the current pixels, computed or pending. */
export function shapeOf(ctx: EngineContext): Shape {
  if (ctx.pending) return ctx.pending.shape;
  if (!ctx.raster) throw new Error('no pixels: the decode step must run first');
  const { width, height, channels } = ctx.raster;
  return { width, height, channels };
}

/** Runs a pending pipeline to its end, reporting failures of a pipeline that still decodes as a bad upload. */
export async function finishPending<T>(pending: PendingPixels, end: (p: Sharp) => Promise<T>): Promise<T> {
  try {
    return await end(pending.pipeline);
  } catch (cause) {
    if (pending.decodes) throw corruptImage(pending.decodes.format, pending.decodes.param, cause);
    throw cause;
  }
}

/** The current pixels as a raster, running the pending pipeline if there is one. */
export async function pixels(ctx: EngineContext): Promise<Raster> {
  const pending = ctx.pending;
  if (pending) {
    ctx.raster = await finishPending(pending, toRaster);
    delete ctx.pending;
  }
  if (!ctx.raster) throw new Error('no pixels: the decode step must run first');
  return ctx.raster;
}

/**
 * The current pixels scaled to fit inside maxSide×maxSide, for decisions that need only a glance
 * (where to crop). A pending decode is read again with shrink-on-load, much cheaper than decoding.
 */
export async function preview(ctx: EngineContext, maxSide: number): Promise<Raster> {
  const pending = ctx.pending;
  const upload = pending && !pending.hasOperation ? pending.decodes : undefined;
  if (pending && upload) {
    const small = openUpload(upload.bytes, ctx.maxPixels);
    return finishPending(pending, () => toRaster(fitInside(small, maxSide)));
  }
  return toRaster(fitInside(fromRaster(await pixels(ctx)), maxSide));
}

const fitInside = (p: Sharp, side: number) => p.resize(side, side, { fit: 'inside', withoutEnlargement: true });

/**
 * A step that is a sharp operation: added to the pending pipeline when that has room, started on
 * the computed pixels otherwise. `plan` returns null when there is nothing to do for this shape.
 */
export function pipeStep(name: string, plan: (s: Shape, ctx: EngineContext) => PipeOperation | null | Promise<PipeOperation | null>): Step {
  return {
    name,
    async run(ctx) {
      const before = shapeOf(ctx);
      const operation = await plan(before, ctx);
      if (!operation) return;
      if (!ctx.pending || ctx.pending.hasOperation) {
        const r = await pixels(ctx);
        ctx.pending = { pipeline: fromRaster(r), shape: shapeOf(ctx), hasOperation: false };
      }
      ctx.pending.pipeline = operation.apply(ctx.pending.pipeline);
      ctx.pending.hasOperation = true;
      if (operation.shape) ctx.pending.shape = operation.shape;
      else await pixels(ctx);
      if (operation.moves) await moveMasks(ctx, before, operation.moves, operation.frames ?? false);
    },
  };
}

/**
 * Moves the masks made so far (subject, frame) the way a step moved the pixels, so that a later
 * step reads them aligned: "make the cup blue, rotate it 90 degrees, make the background white"
 * segments once, before the rotation, and the background step uses the rotated mask. A step that
 * frames the image starts the frame mask, for plans with an edit that reads the subject.
 */
export async function moveMasks(ctx: EngineContext, before: Shape, move: Move, frames: boolean): Promise<void> {
  const moved = async (mask: Raster, added: number) => {
    const out = await toRaster(move(fromRaster(mask), added).extractChannel(0));
    return { ...out, channels: 1 as const };
  };
  if (ctx.subject) ctx.subject = await moved(ctx.subject, 0);
  if (ctx.frame) ctx.frame = await moved(ctx.frame, frames ? 255 : 0);
  else if (frames && ctx.plan.ops.some(needsSubject)) {
    ctx.frame = await moved({ data: Buffer.alloc(before.width * before.height), width: before.width, height: before.height, channels: 1 }, 255);
  }
}

/** A pipe step whose operation keeps the shape (colour, tone, filters, mirroring). */
export const sameShapeStep = (name: string, apply: (p: Sharp, s: Shape) => Sharp) =>
  pipeStep(name, (s) => ({ apply: (p) => apply(p, s), shape: s }));
