import { errors } from '../../../errors.ts';
import { describeOp, type EditOp } from '../plan.ts';
import type { Kept } from './frames/frame.ts';

/** Operations that change every pixel of the image, subject and background alike. */
const WHOLE_IMAGE = new Set<EditOp['op']>(['brightness', 'contrast', 'saturation', 'temperature', 'hue', 'tint', 'grayscale', 'sepia', 'invert',
  'blur', 'sharpen', 'denoise', 'vignette', 'splash']);
const COLOUR_CHANGING = new Set<EditOp['op']>(['grayscale', 'sepia', 'invert', 'hue', 'tint', 'saturation', 'temperature', 'recolor', 'splash']);
const SIZE_CHANGING = new Set<EditOp['op']>(['resize', 'crop-aspect', 'pad', 'border', 'trim']);

const isWhole = (op: EditOp) => WHOLE_IMAGE.has(op.op) || (op.op === 'pixelate' && op.region === 'all') || (op.op === 'recolor' && op.scope === 'all');

const cannot = (keep: string, op: EditOp) =>
  errors.unsupportedEdit(`The local engine cannot keep ${keep} while it does "${describeOp(op)}" to the whole image. Send a mask that covers only what should change (the playground can paint one), or leave out the keep part.`);

/**
 * "Make the car red but not the windows": a recolour of a thing changes whatever of it has the thing's
 * main colour. That often leaves glass, tyres or a label alone, but the engine cannot find those parts
 * to check it, so it does not promise to.
 */
const cannotLeaveOut = (keep: string, op: Extract<EditOp, { op: 'recolor' }>) => {
  const what = op.object ? `the ${op.object}` : 'the subject';
  return errors.unsupportedEdit(`The local engine recolours ${what} by colour: it changes every part of ${what} in its main colour, and it cannot locate ${keep}, ` +
    `so it cannot promise to leave ${keep} unchanged. Send a mask that covers only what should change (the playground can paint one), or leave out the keep part.`);
};

/**
 * Holds what the prompt asked to keep against what the plan does. A keep is either already true, or
 * turns the edit into the one that keeps it ("black and white but keep the red" is a colour splash;
 * "blur it but keep the subject sharp" blurs the background), or the prompt is refused: dropping a
 * keep would return an image that ignores part of the prompt.
 */
export function reconcile(ops: EditOp[], kept: Kept[]): EditOp[] {
  let plan = [...ops];
  for (const k of kept) {
    switch (k.what) {
      case 'everything':
        break;
      case 'color': {
        plan = plan.map((op) => (op.op === 'grayscale' ? { op: 'splash', keep: k.color } : op));
        const clash = plan.find((op) => COLOUR_CHANGING.has(op.op) && op.op !== 'splash' && isWhole(op));
        if (clash) throw cannot(`the ${k.name}`, clash);
        break;
      }
      case 'subject':
        plan = plan.map((op): EditOp => {
          const named = k.object ? { object: k.object } : {};
          if (op.op === 'blur') return { op: 'background', action: 'blur', amount: op.amount, ...named };
          if (op.op === 'grayscale') return { op: 'background', action: 'grayscale', ...named };
          if (op.op === 'pixelate' && op.region === 'all') return { ...op, region: 'background', ...named };
          // "Make the background white but keep the cup": the cup is what the background edit keeps.
          if ((op.op === 'background' || (op.op === 'pixelate' && op.region === 'background')) && k.object && !op.object) return { ...op, ...named };
          return op;
        });
        for (const op of plan) if (isWhole(op) || (op.op === 'recolor' && op.scope !== 'all') || (op.op === 'pixelate' && op.region === 'subject')) throw cannot('the subject', op);
        break;
      case 'background':
        plan = plan.map((op): EditOp => (op.op === 'pixelate' && op.region === 'all' ? { ...op, region: 'subject' } : op));
        for (const op of plan) if (isWhole(op) || op.op === 'background' || (op.op === 'pixelate' && op.region === 'background')) throw cannot('the background', op);
        break;
      case 'thing':
        for (const op of plan) {
          const touches = k.name === 'colours' ? COLOUR_CHANGING.has(op.op) : isWhole(op) || op.op === 'recolor' || (op.op === 'background' && /sky|wall|floor|ground|grass|water|sea/.test(k.name));
          if (touches && op.op === 'recolor' && op.scope !== 'all' && k.name !== 'colours') throw cannotLeaveOut(`the ${k.name}`, op);
          if (touches) throw cannot(`the ${k.name}`, op);
        }
        break;
      case 'aspect':
        // Scaling keeps the proportions; a crop or a size with both sides given may not.
        for (const op of plan) if (op.op === 'crop-aspect' || (op.op === 'resize' && 'width' in op && op.width && op.height)) throw cannot('the aspect ratio', op);
        break;
      case 'size':
        for (const op of plan) if (SIZE_CHANGING.has(op.op) || (op.op === 'rotate' && op.degrees % 90 !== 0)) throw cannot('the size', op);
        break;
    }
  }
  return plan;
}

/**
 * Tidies the plan: a background removed and then given a colour or image is just given it, and a
 * problem described next to its fix ("it's too dark, brighten it") is done once.
 */
export function tidy(ops: Array<{ op: EditOp; problem: boolean }>): EditOp[] {
  const out: Array<{ op: EditOp; problem: boolean }> = [];
  for (const entry of ops) {
    const last = out.at(-1);
    // "Richer and more saturated", "colour splash … black and white": the same edit said twice. When
    // the first was a problem and the second says how to fix it ("it's too dark, brighten it by
    // 30%"), the instruction is what is done.
    if (last && sameEdit(last.op, entry.op)) {
      if (last.problem && !entry.problem) out[out.length - 1] = entry;
      continue;
    }
    if (last && last.op.op === 'background' && last.op.action === 'remove' && entry.op.op === 'background' && (entry.op.action === 'color' || entry.op.action === 'image')) {
      out[out.length - 1] = entry;
      continue;
    }
    out.push(entry);
  }
  // A problem described next to an instruction that fixes it is its reason ("it looks flat, boost the
  // contrast", "it's too dark, brighten it by 30%"): the instruction says how, and is what is done. A
  // problem no instruction fixes ("it's too dark, add the text 'SALE'") is an edit of its own: dropping
  // it would return an image that ignores part of the prompt.
  return out.filter((e) => !e.problem || !out.some((o) => !o.problem && fixes(o.op, e.op))).map((e) => e.op);
}

/**
 * Edits that are fixes for one kind of problem: a photo that looks flat or dull ("flau", "fade",
 * "灰灰的") is fixed by contrast as well as by saturation, a colour cast by warmth, tint or hue.
 */
const FIX_FAMILIES: Array<ReadonlySet<EditOp['op']>> = [new Set(['contrast', 'saturation']), new Set(['temperature', 'tint', 'hue'])];

/** Whether an instruction is the user's own fix for the problem an edit was read from. */
function fixes(instruction: EditOp, problem: EditOp): boolean {
  return instruction.op === problem.op || FIX_FAMILIES.some((f) => f.has(instruction.op) && f.has(problem.op));
}

/** Two operations of one kind in one direction: said twice, done once. */
function sameEdit(a: EditOp, b: EditOp): boolean {
  if (a.op !== b.op) return false;
  if (JSON.stringify(a) === JSON.stringify(b)) return true;
  // "Darken the corners, add a vignette": one filter named twice, the second with its own strength.
  if (['vignette', 'sharpen', 'denoise', 'grayscale', 'sepia', 'invert'].includes(a.op)) return true;
  const direction = (op: EditOp) =>
    'factor' in op ? Math.sign(op.factor - 1) : op.op === 'temperature' ? Math.sign(op.amount) : null;
  const d = direction(a);
  return d !== null && d === direction(b);
}
