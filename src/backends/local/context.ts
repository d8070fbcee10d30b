import type { EditRequest } from '../../edits/request.ts';
import type { EncodedImage } from '../../images/encode.ts';
import type { Raster } from '../../images/raster.ts';
import type { PendingPixels } from './pixels.ts';
import type { EditPlan } from './plan.ts';
import type { SubjectMask } from './segment/index.ts';
import type { EngineWorkers } from './worker-pool.ts';

/** What the steps of one local edit share. Steps replace the current pixels as they go. */
export interface EngineContext {
  request: EditRequest;
  plan: EditPlan;
  maxPixels: number;
  /** The current pixels when computed; steps read them through `pixels(ctx)`. */
  raster?: Raster;
  /** The current pixels when still a pipeline to run (see pixels.ts); then `raster` is stale. */
  pending?: PendingPixels;
  /** Where the client's mask lets the edit change pixels (255), at the image's size; set when there is a mask. */
  editable?: SubjectMask;
  /** The pixels before any edit, kept for the mask step. */
  original?: Raster;
  output?: EncodedImage;
  /**
   * The subject mask, set by the segment step when an operation needs it, and moved by every step
   * that moves pixels (rotate, flip, crop, border…) so that it stays aligned with them.
   */
  subject?: SubjectMask;
  /**
   * Where the plan framed the image (border, padding: 255), kept aligned like `subject`: not the
   * photo's background, so background edits leave it as it is. Made only for plans that need it.
   */
  frame?: SubjectMask;
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

