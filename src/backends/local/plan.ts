/** One operation the local engine knows how to carry out. */
export type EditOp =
  | { op: 'grayscale' }
  | { op: 'rotate'; degrees: number }
  | { op: 'flip'; axis: 'horizontal' | 'vertical' }
  | { op: 'resize'; scale: number }
  | { op: 'resize'; width?: number; height?: number };

/** What a prompt asks for, in order, plus the clauses that only ask to keep things as they are. */
export interface EditPlan {
  ops: EditOp[];
  kept: string[];
}

/** A short normalised description of a plan, returned as `revised_prompt`. */
export function describePlan(plan: EditPlan): string {
  const parts = plan.ops.map(describeOp);
  if (plan.kept.length) parts.push('keep everything else');
  return parts.join('; ');
}

function describeOp(op: EditOp): string {
  switch (op.op) {
    case 'grayscale': return 'convert to black and white';
    case 'rotate': return `rotate ${op.degrees} degrees clockwise`;
    case 'flip': return `flip ${op.axis}ly`;
    case 'resize':
      if ('scale' in op) return `scale by ${+op.scale.toFixed(4)}x`;
      return `resize to ${op.width ?? 'auto'}x${op.height ?? 'auto'}`;
  }
}

/** True when a plan changes pixel positions, which a mask (drawn on the source) cannot follow. */
export const changesGeometry = (op: EditOp) => op.op === 'rotate' || op.op === 'flip' || op.op === 'resize';
