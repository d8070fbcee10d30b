import { errors } from '../../../errors.ts';
import { describeOp, type EditOp } from '../plan.ts';
import { isIgnorable } from './clause.ts';
import type { Concept } from './lexicon/types.ts';
import type { Token } from './match.ts';

/**
 * "Don't crop", "without cropping", "ne recadre pas", "nicht zuschneiden", "no recortes", "不要裁剪":
 * an edit the user says not to make. It is no step: it is a constraint on the plan, satisfied when no
 * step makes that edit, and a refusal when one does ("crop to square but don't crop"), since doing
 * either would ignore part of the prompt.
 */
export interface Negation {
  /** The clause as written, for the refusal. */
  text: string;
  /** The edits negated. */
  targets: Concept[];
}

/** Which steps make the edit a concept names. */
const MAKES: Partial<Record<Concept, (op: EditOp) => boolean>> = {
  crop: (op) => op.op === 'crop-aspect' || op.op === 'trim',
  trim: (op) => op.op === 'trim',
  square: (op) => op.op === 'crop-aspect', portrait: (op) => op.op === 'crop-aspect', landscape: (op) => op.op === 'crop-aspect',
  widescreen: (op) => op.op === 'crop-aspect', story: (op) => op.op === 'crop-aspect',
  rotate: (op) => op.op === 'rotate', 'quarter-turn': (op) => op.op === 'rotate', 'half-turn': (op) => op.op === 'rotate', 'upside-down': (op) => op.op === 'rotate',
  flip: (op) => op.op === 'flip', mirror: (op) => op.op === 'flip',
  resize: (op) => op.op === 'resize', bigger: (op) => op.op === 'resize', smaller: (op) => op.op === 'resize',
  grayscale: (op) => op.op === 'grayscale' || op.op === 'splash' || (op.op === 'background' && op.action === 'grayscale'),
  sepia: (op) => op.op === 'sepia', invert: (op) => op.op === 'invert',
  blur: (op) => op.op === 'blur' || (op.op === 'background' && op.action === 'blur'),
  sharpen: (op) => op.op === 'sharpen', denoise: (op) => op.op === 'denoise', pixelate: (op) => op.op === 'pixelate', vignette: (op) => op.op === 'vignette',
  bright: (op) => op.op === 'brightness' && op.factor > 1, dark: (op) => op.op === 'brightness' && op.factor < 1, brightness: (op) => op.op === 'brightness',
  'contrast-up': (op) => op.op === 'contrast' && op.factor > 1, 'contrast-down': (op) => op.op === 'contrast' && op.factor < 1, contrast: (op) => op.op === 'contrast',
  vivid: (op) => op.op === 'saturation' && op.factor > 1, muted: (op) => op.op === 'saturation' && op.factor < 1, saturation: (op) => op.op === 'saturation',
  warm: (op) => op.op === 'temperature' && op.amount > 0, cool: (op) => op.op === 'temperature' && op.amount < 0, temperature: (op) => op.op === 'temperature',
  hue: (op) => op.op === 'hue', tint: (op) => op.op === 'tint',
  text: (op) => op.op === 'text', watermark: (op) => op.op === 'watermark', border: (op) => op.op === 'border', pad: (op) => op.op === 'pad', canvas: (op) => op.op === 'pad',
};

/**
 * Edits a word for "without" ("without", "sin", "sans", "ohne", "sem", "不要", which also mean
 * "remove") negates: actions only. Before a thing ("without the background", "no noise", "sin
 * texto") it asks to take that thing away, which is another edit.
 */
const ACTIONS = new Set<Concept>(['crop', 'trim', 'rotate', 'quarter-turn', 'half-turn', 'flip', 'mirror', 'resize', 'bigger', 'smaller', 'grayscale',
  'sepia', 'invert', 'sharpen', 'pixelate', 'bright', 'dark', 'warm', 'cool', 'vivid', 'muted', 'contrast-up', 'contrast-down']);

/** Words that only frame what is negated ("make it", "the image", "add"). */
const FRAMING = new Set<Concept>(['change', 'add', 'image', 'everything', 'slightly', 'very', 'more']);

/**
 * The negation a clause is, or null: a word for "not" (or "without" before an action) and edits the
 * engine knows, nothing else; "not too bright" (a moderation), a colour, a number, a quote, a thing or
 * a removal are not read here.
 */
export function negationOf(tokens: Token[]): Negation | null {
  const content = tokens.filter((t) => !t.sep && !t.filler);
  const not = content.filter((t) => t.concepts.has('not'));
  const without = content.filter((t) => !t.concepts.has('not') && t.concepts.has('without'));
  if (not.length === 0 && without.length === 0) return null;
  const rest = content.filter((t) => !not.includes(t) && !without.includes(t));
  // "Without" comes before what it negates ("sin recortar"); after it, it is no "without".
  if (without.length && !rest.some((t) => tokens.indexOf(t) > tokens.indexOf(without[0]!))) return null;
  if (rest.some((t) => t.color || t.thing || t.number !== undefined || t.quote !== undefined || t.dims || t.ratio || t.concepts.has('too') ||
    t.concepts.has('remove') || t.concepts.has('keep') || t.concepts.has('except'))) return null;
  const targets: Concept[] = [];
  let said = 0;
  for (const t of rest) {
    const made = [...t.concepts].filter((c) => MAKES[c]);
    if (made.length) { targets.push(...made); said++; continue; }
    if (!isIgnorable(t) && ![...t.concepts].every((c) => FRAMING.has(c))) return null;
  }
  // One edit negated: "ohne Zuschneiden schwarzweiß" (black and white without cropping) is an edit and a
  // negation in one clause, which the frames read or refuse; it is not two edits negated.
  if (said !== 1) return null;
  // "Without" negates only actions; "no" (both "not" and "without") before a thing is its removal.
  const onlyWithout = not.length === 0 || not.every((t) => t.concepts.has('remove'));
  if (onlyWithout && !targets.every((c) => ACTIONS.has(c))) return null;
  return { text: tokens.filter((t) => !t.sep).map((t) => t.text).join(' '), targets };
}

/**
 * Holds the plan against what the prompt said not to do: a step that makes a negated edit is a
 * contradiction the engine cannot resolve for the user.
 */
export function checkNegations(plan: EditOp[], negations: Negation[]): void {
  for (const n of negations) {
    const clash = plan.find((op) => n.targets.some((c) => MAKES[c]!(op)));
    if (clash) {
      throw errors.unsupportedEdit(`The prompt asks to "${describeOp(clash)}" and also says "${n.text}"; the local engine cannot do both. ` +
        'Leave out the one that is not meant.');
    }
  }
}
