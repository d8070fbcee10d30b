import { type Clause, isPronoun, isUnknown } from '../clause.ts';
import type { Token } from '../match.ts';
import type { EditOp } from '../../plan.ts';
import { amountOf, type Frame, type FrameContext, numberWith } from './frame.ts';

const WHITE: [number, number, number] = [255, 255, 255];

/**
 * "Remove the background" only when the background is what goes: in "remove the person from the
 * background" the person is, and that is generative work the engine cannot do.
 */
function backgroundIsRemoved(c: Clause): boolean {
  const remove = c.indexOf('remove');
  if (remove < 0) return false;
  if (c.tokens[remove]!.concepts.has('background')) return true; // one word for both ("去背")
  const isTarget = (t: Token) => t.concepts.has('background') || t.concepts.has('subject') || !!t.thing;
  const all = c.find(isTarget);
  // A target that only says whose or where ("the product's background", "背景里的人", "the person
  // from the background", "aus dem Hintergrund") is not what goes, when another target is.
  const heads = all.filter(({ index }) => !modifier(c.tokens, index, isTarget));
  const targets = heads.length ? heads : all;
  // The object follows the verb in English ("remove the background") and comes before it in
  // Japanese, German or Chinese word order ("背景を消して", "den Hintergrund entfernen"). Before the
  // verb, a Latin-script noun phrase starts with its head ("die Person im Hintergrund"), a Chinese or
  // Japanese one ends with it ("後ろの人").
  const before = targets.filter((t) => t.index < remove);
  const target = targets.find((t) => t.index > remove) ?? (before.length && CJK.test(before.at(-1)!.token.text) ? before.at(-1) : before[0]);
  return target?.token.concepts.has('background') ?? false;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Whether the target at `i` modifies another: possessed by it ("X的Y", "XのY", "X's Y") or after "from"/"of". */
function modifier(tokens: Token[], i: number, isTarget: (t: Token) => boolean): boolean {
  const meaningful = (t: Token) => !t.sep && (!t.filler || t.concepts.size > 0);
  const next = tokens.slice(i + 1).find(meaningful);
  const possessive = next && next.concepts.has('of') && (CJK.test(next.text) || next.text === "'s") &&
    tokens.slice(tokens.indexOf(next) + 1).some(isTarget);
  const prev = tokens.slice(0, i).reverse().find(meaningful);
  const fromWhere = prev?.concepts.has('from') && !CJK.test(prev.text) && tokens.some((t, k) => k !== i && isTarget(t));
  return !!possessive || !!fromWhere;
}

/**
 * Words that may come with any background edit: the subject it keeps, verbs, the background's own
 * words. In English an unknown word right before the subject describes it ("this perfume bottle",
 * "a ceramic mug") and goes with it.
 */
function takeFraming(c: Clause, ctx: FrameContext) {
  const subjects = c.find((t) => t.concepts.has('subject') || t.thing?.kind === 'object' || t.thing?.kind === 'being');
  if (ctx.unknownObjects) for (const { index } of subjects) if (index > 0 && isUnknown(c.tokens[index - 1]!)) c.use(index - 1);
  for (const { index } of subjects) c.use(index);
  c.takeAll('background', 'subject', 'replace', 'studio', 'color');
}

/**
 * Background edits: remove it, replace it with a colour or the second image, blur it, make it black
 * and white, pixelate it. Read when the clause names the background (or a studio), cuts the subject
 * out, or carries on from a background edit ("remove the background and make it white").
 */
export const background: Frame = {
  name: 'background', triggers: ['background', 'studio', 'transparent', 'isolate'], example: 'background-color',
  read(c, ctx) {
    const named = c.has('background');
    // "Cut out the cup", "抠图": the subject is what a cut-out keeps, named or not; a part cannot be cut out.
    const isolates = c.has('isolate') && !c.find((t) => t.thing !== undefined && t.thing.kind !== 'object' && t.thing.kind !== 'being').length;
    const second = c.has('second') && (named || c.has('subject', 'change', 'replace', 'on', 'add'));
    // "… and make it white", "… I need a transparent PNG": a clause that carries on a background edit.
    // "… white and red" after a colour is a second colour, which one background cannot have.
    // "… and make the mug blue" names what the colour is for: a recolour of the mug, not of the
    // background ("… and put the product on white" still is the background; "… mach ihn weiß",
    // a pronoun, may be the background).
    const namesOther = c.find((t) => (t.thing !== undefined || t.concepts.has('subject')) && !isPronoun(t)).length > 0 && !c.has('on');
    const carriesOn = !named && ctx.previous?.op === 'background' && ((c.colors().length === 1 && !namesOther) || c.has('transparent')) &&
      !(ctx.previous.action === 'color' && !c.has('change', 'replace'));
    // "背景を消して、商品だけにして", "remove the background, just the product": what stays after a removal.
    const onlySubject = !named && ctx.previous?.op === 'background' && ctx.previous.action === 'remove' && c.has('only') && c.has('subject');
    if (!named && !isolates && !second && !carriesOn && !onlySubject && !c.has('studio')) return null;
    if (second) {
      c.takeAll('second', 'first', 'subject', 'isolate', 'remove', 'replace');
      takeFraming(c, ctx);
      return { op: 'background', action: 'image' };
    }
    if (isolates || onlySubject) {
      c.take('isolate');
      c.take('only');
      c.takeWhere((t) => t.thing?.kind === 'object');
      c.take('remove');
      takeFraming(c, ctx);
      c.take('transparent');
      return { op: 'background', action: 'remove' };
    }
    // "给这个透明图加个白色背景", "add a white background to this transparent image": "transparent"
    // before the image it describes says what the image is now; the background is given the colour
    // (one added with none named, "给透明图加个背景", is refused, not left transparent).
    if (!c.has('remove') && (c.colors().length === 1 || c.has('add'))) for (const { index } of c.find((t, i) => t.concepts.has('transparent') && describesImage(c.tokens, i))) c.use(index);
    // "Remove the background, white": removed and given a colour is given the colour.
    if ((c.has('remove') || c.has('transparent')) && !(c.has('remove') && c.colors().length === 1 && backgroundIsRemoved(c))) {
      if (c.has('remove') && !backgroundIsRemoved(c)) return null;
      c.take('remove');
      c.take('transparent');
      takeFraming(c, ctx);
      return { op: 'background', action: 'remove' };
    }
    c.take('remove');
    let op: EditOp | null = null;
    if (c.take('grayscale')) op = { op: 'background', action: 'grayscale' };
    // "Blurry background", "fondo desenfocado": without a verb, the look asked for, not a complaint.
    else if (c.has('blur', 'blurry') && (!c.problem || c.complaintOnly)) { c.take('blur') ?? c.take('blurry'); op = { op: 'background', action: 'blur', amount: amountOf(c, 1) }; }
    else if (!c.problem && c.take('pixelate')) {
      c.takeAll('pixelate');
      const block = numberWith(c, ['px'], true);
      op = { op: 'pixelate', block: block !== undefined ? Math.max(2, block) : undefined, amount: amountOf(c, 1), region: 'background' };
    }
    else {
      let colors = c.colors();
      // "Light grey instead of white", "blanco en vez de negro": the colour after "instead of" is the one it has now.
      const was = colors.filter((x) => c.tokens.slice(0, x.index).reverse().find((t) => !t.filler || t.concepts.size > 0)?.concepts.has('from'));
      if (colors.length === 2 && was.length === 1) { c.use(was[0]!.index); colors = colors.filter((x) => x !== was[0]); }
      if (colors.length > 1) return null;
      const color = colors[0]?.color ?? (c.has('studio', 'plain') ? WHITE : null);
      if (!color) return null;
      if (colors[0]) c.use(colors[0].index);
      const shadow = !!c.take('shadow');
      op = { op: 'background', action: 'color', color, ...(shadow ? { shadow } : {}) };
    }
    takeFraming(c, ctx);
    return op;
  },
};

/** Whether the word at `i` comes right before an image noun (past "的", "の", "of" and filler): "透明图", "透明的图片", "transparent image". */
function describesImage(tokens: Token[], i: number): boolean {
  const next = tokens.slice(i + 1).find((t) => !(t.filler && t.concepts.size === 0) && !(t.concepts.has('of') && t.concepts.size === 1));
  return !!next && next.concepts.has('image') && !next.concepts.has('background') && !next.concepts.has('transparent') && !next.sep;
}

/** Pixelate the subject ("pixelate the person"): the subject mask says where. */
export const pixelateSubject: Frame = {
  name: 'pixelate-subject', triggers: ['pixelate'], example: 'pixelate',
  read(c) {
    if (c.problem || !c.has('pixelate') || !c.has('subject') || c.has('background')) return null;
    c.take('pixelate');
    c.takeAll('subject');
    return { op: 'pixelate', block: undefined, amount: amountOf(c, 1), region: 'subject' };
  },
};
