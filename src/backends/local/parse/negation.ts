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
export function negationOf(tokens: Token[], describes = false): Negation | null {
  const content = tokens.filter((t) => !t.sep && !t.filler);
  const not = content.filter((t) => t.concepts.has('not'));
  const without = content.filter((t) => !t.concepts.has('not') && t.concepts.has('without'));
  if (not.length === 0 && without.length === 0) return null;
  if (describesState(tokens, describes)) return null;
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
 * "The photo isn't sharp", "la foto no es nítida", "das Bild ist nicht scharf", "a foto não está
 * nítida", "照片不是很亮": a negation that says how the photo is, not what not to do. It is a
 * complaint (or a description) read as one, never a constraint: "the photo isn't sharp, sharpen it"
 * asks to sharpen. Such a clause has a copula, "is" or "looks" (the English lexicon tags "isn't" and
 * "doesn't" as copulas as well as negations), or is a problem in its own words ("too", a
 * complaint); or, in Chinese, a photo said before a plain "不" ("照片不亮": the photo is not bright;
 * an order not to is "别" or "不要").
 */
export function describesState(tokens: Token[], describes: boolean): boolean {
  if (describes || tokens.some((t) => t.concepts.has('copula'))) return true;
  const first = tokens.findIndex((t) => t.concepts.has('not'));
  if (first < 0 || !PLAIN_NOT.has(tokens[first]!.text)) return false;
  return tokens.slice(0, first).some((t) => t.concepts.has('image') || t.thing !== undefined);
}

/** Chinese "not" that states rather than forbids ("不亮": not bright; "别裁剪": don't crop). */
const PLAIN_NOT = new Set(['不', '没', '沒']);

/** A look a photo is wanted to have, and the complaint a photo said not to have it makes ("not bright" is dark). */
const OPPOSITE_STATE: Array<[Concept, Concept]> = [['bright', 'dark'], ['vivid', 'muted'], ['contrast-up', 'contrast-down'], ['sharpen', 'blurry']];

/** Looks that are complaints: a photo said not to have one ("it's not dark") asks for nothing. */
const PROBLEM_LOOKS = new Set<Concept>(['dark', 'muted', 'contrast-down', 'blurry', 'noise']);

/**
 * "The image is not bright", "la foto no es nítida", "照片不亮": a photo said not to have a wanted
 * look has the opposite one, a complaint the clause is then read as ("the image is dark": brighten).
 * Left as "bright" beside a copula, it read as a photo too bright (darkened) or was set aside, and a
 * complaint beside an edit that does not fix it is an edit of its own. A photo said not to have a
 * problem ("it's not dark") asks for nothing: null. Only the look right after "not" is read, and
 * not beside "too" or "enough" ("is not too bright" moderates, "isn't bright enough" says how much):
 * those clauses, and every other, are returned as they are.
 */
export function statedAsOpposite(tokens: Token[]): Token[] | null {
  if (!describesState(tokens, false) || tokens.some((t) => t.concepts.has('too'))) return tokens;
  const at = tokens.findIndex((t) => t.concepts.has('not'));
  if (at < 0) return tokens;
  // "N'est pas", "is not", "不是很": the negation, copula and softeners before the look.
  const between = (t: Token) => t.filler || t.sep || ['not', 'copula', 'slightly', 'very'].some((c) => t.concepts.has(c as Concept));
  let j = at + 1;
  while (tokens[j] && between(tokens[j]!)) j++;
  const look = tokens[j];
  if (!look || look.color || look.concepts.has('not')) return tokens;
  // A clause of a look only: a photo or its colours before, nothing after but softeners ("not
  // bright at all" is another clause's business), no other negation, verb, colour or number.
  const plain = (t: Token) => !t.color && !t.quote && t.number === undefined && !t.dims && !t.ratio &&
    ![...t.concepts].some((c) => ['not', 'change', 'add', 'remove', 'replace', 'keep', 'except', 'without'].includes(c));
  if (!tokens.slice(0, at).every(plain) || !tokens.slice(j + 1).every((t) => between(t) && !t.concepts.has('not'))) return tokens;
  if ([...look.concepts].some((c) => PROBLEM_LOOKS.has(c))) return null;
  const pair = OPPOSITE_STATE.find(([c]) => look.concepts.has(c));
  if (!pair) return tokens;
  // The copula stays (a contraction such as "isn't" keeps only its "is"): the clause still describes.
  const kept = tokens.slice(at, j).filter((t) => t.concepts.has('copula')).map((t) => ({ ...t, concepts: new Set<Concept>(['copula']) }));
  const opposite: Token = { text: tokens.slice(at, j + 1).filter((t) => !t.sep).map((t) => t.text).join(' '), concepts: new Set<Concept>([pair[1], 'complaint']), filler: false };
  return [...tokens.slice(0, at), ...kept, opposite, ...tokens.slice(j + 1)];
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
