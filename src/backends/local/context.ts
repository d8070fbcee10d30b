import type { EditRequest } from '../../edits/request.ts';
import type { EncodedImage } from '../../images/encode.ts';
import type { Raster } from '../../images/raster.ts';
import type { EditPlan } from './plan.ts';
import type { SubjectMask } from './segment/index.ts';
import type { EngineWorkers } from './worker-pool.ts';

/** What the steps of one local edit share. Steps replace `raster` as they go. */
export interface EngineContext {
  request: EditRequest;
  plan: EditPlan;
  maxPixels: number;
  /** The decoded first image, set by the decode step. */
  raster?: Raster;
  /** The pixels before any edit, kept for the mask step. */
  original?: Raster;
  output?: EncodedImage;
  /** The subject mask, set by the segment step when an operation needs it. */
  subject?: SubjectMask;
  /** Which segmenter made the mask, reported in x-retouch-segmenter. */
  segmenter?: string;
  signal: AbortSignal;
  /** Worker threads for work that would block the event loop. */
  workers: EngineWorkers;
}

/** One named unit of work; the engine checks for an abort between steps. */
export interface Step {
  name: string;
  run(ctx: EngineContext): Promise<void>;
}

/** The raster a step works on; a step that runs before decode is a programming error. */
export function current(ctx: EngineContext): Raster {
  if (!ctx.raster) throw new Error('no raster: the decode step must run first');
  return ctx.raster;
}
