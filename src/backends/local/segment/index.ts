import type { Raster } from '../../../images/raster.ts';

/** A subject mask: one band, 255 = subject, 0 = background, soft in between. */
export type SubjectMask = Raster & { channels: 1 };

/** Finds the main subject of an image. Implementations are interchangeable (GrabCut, ONNX models). */
export interface Segmenter {
  /** Reported in `x-retouch-segmenter`. */
  readonly name: string;
  segment(image: Raster, signal: AbortSignal): Promise<SubjectMask>;
}
