import { targetDimensions } from '../../../edits/size.ts';
import { pipeStep } from '../pixels.ts';
import { coverFitOperation } from './cover-fit.ts';

/** Applies the request's `size`: exact sizes and aspect ratios cover-fit with an attention crop. */
export const fitSize = pipeStep('fit-size', (s, ctx) => coverFitOperation(ctx, s, targetDimensions(ctx.request.size, s.width, s.height)));
