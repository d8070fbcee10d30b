import { errors, RetouchError } from '../../errors.ts';
import type { EngineContext, Step } from './context.ts';
import { changesGeometry, type EditOp, type EditPlan } from './plan.ts';
import { applyMask } from './steps/apply-mask.ts';
import { decode } from './steps/decode.ts';
import { encode } from './steps/encode.ts';
import { fitSize } from './steps/fit-size.ts';
import { flip } from './steps/flip.ts';
import { grayscale } from './steps/grayscale.ts';
import { resize } from './steps/resize.ts';
import { rotate } from './steps/rotate.ts';

function stepFor(op: EditOp): Step {
  switch (op.op) {
    case 'grayscale': return grayscale;
    case 'rotate': return rotate(op.degrees);
    case 'flip': return flip(op.axis);
    case 'resize': return resize(op);
  }
}

/** The steps that carry out a plan: decode, one step per operation, mask, size, encode. */
export function stepsFor(plan: EditPlan, hasMask: boolean): Step[] {
  if (hasMask && plan.ops.some(changesGeometry)) {
    throw errors.unsupportedEdit('A mask marks places in the source image, so it cannot be combined with rotating, flipping or resizing. Send the geometry change as a separate edit.');
  }
  return [decode, ...plan.ops.map(stepFor), applyMask, fitSize, encode];
}

/** Runs steps in order, stopping between steps once the request is aborted (client gone, deadline). */
export async function runSteps(ctx: EngineContext, steps: Step[], signal: AbortSignal): Promise<void> {
  for (const step of steps) {
    if (signal.aborted) throw abortError(signal);
    await step.run(ctx);
  }
}

function abortError(signal: AbortSignal): RetouchError {
  return signal.reason instanceof RetouchError ? signal.reason : errors.cancelled();
}
