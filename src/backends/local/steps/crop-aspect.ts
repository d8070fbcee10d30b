import { targetDimensions } from '../../../edits/size.ts';
import { pipeStep } from '../pixels.ts';
import { coverFitOperation } from './cover-fit.ts';

/** Crops to an aspect ratio, keeping as many pixels as possible, around the most interesting part. */
export const cropAspect = (width: number, height: number) =>
  pipeStep(`crop-aspect(${width}:${height})`, (s, ctx) => coverFitOperation(ctx, s, targetDimensions({ kind: 'aspect', width, height }, s.width, s.height)));
