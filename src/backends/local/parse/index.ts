import { errors, RetouchError } from '../../../errors.ts';
import type { EditOp, EditPlan } from '../plan.ts';
import { Clause, dropPurpose, isIgnorable, isPronoun, isUnknown, OPERATION_CONCEPTS, SOFT, splitClauses } from './clause.ts';
import { compose } from './compose.ts';
import { FRAMES } from './frames/index.ts';
import type { FrameContext, Kept } from './frames/frame.ts';
import { isKeepClause, keep } from './frames/keep.ts';
import type { CompiledLanguage } from './lexicon/compile.ts';
import type { Concept, ExampleKey } from './lexicon/types.ts';
import { detectLanguages, english, LANGUAGE_DATA, lexiconsFor, ownWords, unreadLanguage } from './lexicon/index.ts';
import { type Correction, matchPieces, type Token } from './match.ts';
import { normalize } from './normalize.ts';
import { reconcile, tidy } from './reconcile.ts';
import { type Piece, tokenize } from './tokenize.ts';

/** The families of edits, one line, for every unsupported_edit message. */
export const CAPABILITIES =
  'tone and colour (black and white, sepia, brightness, contrast, saturation, warmth, hue, tint, invert), geometry (rotate, flip, crop, resize, trim, border, padding), ' +
  'filters (blur, sharpen, denoise, pixelate, vignette), backgrounds (remove, colour, blur, black and white, the second image), recolouring a whole object, text and watermarks';

const MORE = 'See "What the local engine does" in the README; for other edits, configure an upstream model (OpenAI or Gemini).';

const names = LANGUAGE_DATA.map((l) => l.name);
/** The refusal of a prompt in a language no lexicon reads. */
export const READS = `Most words of this prompt are in none of the languages the local engine reads, which are ${names.slice(0, -1).join(', ')} ` +
  `and ${names.at(-1)}; it cannot read a prompt in another language. Write it in one of them, or configure an upstream model (OpenAI or Gemini). ` +
  `It can do ${CAPABILITIES}.`;

/**
 * Reads a prompt in any of the lexicon's languages into an EditPlan: normalise → tokenise → map words
 * to concepts (correcting typos) → split into clauses → fill one frame per clause → check the keeps.
 * Every content word must be used by the frame that reads its clause; a prompt with any word the
 * engine cannot use is a 400 unsupported_edit naming it, because doing part of what was asked and
 * answering 200 would be a silent lie.
 */
export function parsePrompt(prompt: string): EditPlan {
  const { text, quotes } = normalize(prompt);
  const pieces = tokenize(text);
  // When words alone cannot tell two languages apart, the first that reads the whole prompt; the
  // refusal, when none does, is the preferred language's.
  const [first, ...others] = detectLanguages(pieces);
  try {
    const plan = parseIn(pieces, quotes, first!);
    // "Recorta para 16:9" is as much Spanish as Portuguese: when another language with as many words
    // of its own reads the prompt too, the plan names no language rather than perhaps the wrong one.
    const own = ownWords(pieces, first!);
    if (plan.language && others.some((l) => ownWords(pieces, l) === own && readsWhole(pieces, quotes, l))) delete plan.language;
    return plan;
  } catch (err) {
    if (!(err instanceof RetouchError)) throw err;
    for (const lang of others) {
      try {
        return parseIn(pieces, quotes, lang);
      } catch (other) {
        if (!(other instanceof RetouchError)) throw other; // the first language's refusal is the one reported
      }
    }
    // "Rendi l'immagine in bianco e nero": what the words would be in a language the engine reads is
    // no reason to give ("immagine" is not "imagine").
    if (unreadLanguage(pieces)) throw errors.unsupportedEdit(READS);
    throw err;
  }
}

function readsWhole(pieces: Piece[], quotes: string[], lang: CompiledLanguage): boolean {
  try {
    parseIn(pieces, quotes, lang);
    return true;
  } catch (err) {
    if (err instanceof RetouchError) return false;
    throw err;
  }
}

function parseIn(pieces: Piece[], quotes: string[], lang: CompiledLanguage): EditPlan {
  const corrections: Correction[] = [];
  const tokens = compose(matchPieces(pieces, lexiconsFor(lang), quotes, corrections));
  const split = splitClauses(tokens);
  const clauses = split.map((c) => ({ ...c, tokens: dropPurpose(c.tokens) }));
  const ops: Array<{ op: EditOp; problem: boolean }> = [];
  const kept: Kept[] = [];
  let previousProblem = false;
  // Problems described beside an instruction ("it's overexposed, lower the brightness") are the
  // reason for it: when one of them cannot be read, it is set aside if the prompt asks for something
  // it can do, and refused only when the problems are all the prompt says.
  const unreadProblems: Clause[] = [];
  // "The background is too busy, blur it": the clause after a description may be about what it describes.
  const referred = clauses.map((raw, i) => referent(raw.tokens, clauses[i - 1]?.tokens, clauses.slice(0, i)));
  // Each clause as it was read, with what it took from the clauses beside it.
  const read: Token[][] = [];
  clauses.forEach((raw, i) => {
    if (raw.tokens.every(isIgnorable)) return;
    // "Too cold and blue": a colour alone after a problem only describes it further.
    if (previousProblem && raw.andJoined && raw.tokens.filter((t) => !isIgnorable(t)).every((t) => t.color && t.concepts.size === 0)) return;
    const obscuredBeside = obscuredOnly(clauses[i - 1]) || obscuredOnly(clauses[i + 1]);
    const named = referred[i] ? [...referred[i]!, ...raw.tokens] : raw.tokens;
    const shared = withSharedVerb(named, read[i - 1]);
    const borrowed = withBorrowedTurn(withBorrowedObject(withBorrowedDirection(shared, clauses[i - 1]?.tokens, clauses[i + 1]?.tokens), clauses[i - 1]?.tokens), clauses[i - 1]?.tokens);
    read[i] = borrowed;
    const clause = new Clause(borrowed, undefined,
      previousProblem && raw.andJoined, obscuredBeside);
    previousProblem = clause.problem;
    if (isContext(clause)) return;
    if (isKeepClause(clause, raw.keep)) {
      const attempt = clause.fork();
      const read = keep.read(attempt, { previous: undefined, unknownObjects: false });
      if (!read || !('kept' in read)) throw notUnderstood(clause, lang);
      if (attempt.leftover().length) throw notUnderstood(clause, lang, attempt.leftover());
      kept.push(...read.kept);
      return;
    }
    const ctx: FrameContext = { previous: ops.at(-1)?.op, unknownObjects: lang === english() };
    try {
      for (const op of readClause(clause, ctx, lang)) ops.push({ op, problem: clause.problem });
    } catch (err) {
      if (referred[i] && err instanceof RetouchError) throw notAlone(raw.tokens, referred[i]!);
      // "Mach es schwarz und weiz", "make it blak and wote": a clause cut short by a word the engine
      // could not read in the next one ("schwarz" is no edit without "weiß") is refused with it,
      // naming that word, not only its own.
      const next = clauses[i + 1];
      if (err instanceof RetouchError && !clause.problem && next?.andJoined && next.tokens.some(isUnknown)) {
        const [from, to] = [tokens.indexOf(split[i]!.tokens[0]!), tokens.indexOf(split[i + 1]!.tokens.at(-1)!)];
        throw notUnderstood(new Clause(from >= 0 && to > from ? tokens.slice(from, to + 1) : [...raw.tokens, ...next.tokens]), lang);
      }
      // "Fondo muy recargado, desenfócalo": a description the next clause acts on is its reason.
      const described = referred[i + 1] !== undefined && !clause.describesWithVerb;
      if ((!clause.problem && !described) || clause.describesWithVerb) throw err;
      unreadProblems.push(clause);
    }
  });
  if (unreadProblems.length && !ops.some((o) => !o.problem)) throw notUnderstood(unreadProblems[0]!, lang);
  const plan = reconcile(tidy(ops), kept);
  if (plan.length === 0) {
    throw errors.unsupportedEdit(`The prompt asks for no change the local engine can make. It can do ${CAPABILITIES}. ${MORE}`);
  }
  return {
    ops: plan,
    kept: kept.filter((k) => k.what !== 'everything').map(describeKept),
    ...(lang !== english() ? { language: languageOf(tokens, lang) } : {}),
    ...(corrections.length ? { corrections } : {}),
  };
}

/**
 * The language to report. Chinese and Japanese share their Han characters, and a prompt of Han
 * characters only is read with both lexicons: it is reported as the one language whose words it
 * uses that the other lacks ("上下反転" is Japanese, "上下翻转" Chinese), and as Chinese or Japanese
 * when its words are in both ("黑白", "模糊背景") or each has some.
 */
function languageOf(tokens: Token[], lang: CompiledLanguage): { code: string; name: string } {
  const said = { code: lang.data.code, name: lang.data.name };
  if (lang.data.code !== 'zh' || tokens.some((t) => /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(t.text))) return said;
  const [zh, ja] = lexiconsFor(lang);
  const words = tokens.filter((t) => /\p{Script=Han}/u.test(t.text)).map((t) => t.text.replace(/\s+/g, ''));
  const zhOnly = words.some((w) => zh!.cjk.has(w) && !ja!.cjk.has(w));
  const jaOnly = words.some((w) => ja!.cjk.has(w) && !zh!.cjk.has(w));
  if (zhOnly && !jaOnly) return said;
  if (jaOnly && !zhOnly) return { code: ja!.data.code, name: ja!.data.name };
  // BCP 47 for a language not determined, written in Han characters.
  return { code: 'und-Hani', name: `${zh!.data.name} or ${ja!.data.name}` };
}

/** A clause that only says nothing can be seen ("no se ve nada", "看不清"): the reason for the clause beside it. */
const obscuredOnly = (c: { tokens: Token[] } | undefined) => !!c && c.tokens.every(isIgnorable) && c.tokens.some((t) => t.concepts.has('obscured'));

/**
 * A sentence that only tells the story around the edit ("my client sent this over", "I run a candle
 * shop", "it's lying on its side"): told in the first person or with "is", it names no operation,
 * no verb of change, no part of a photo to change and no text, only words the lexicon does not
 * know. A request with a verb ("add a hat") or a thing to change ("a rainbow in the sky") is never
 * taken for one.
 */
function isContext(clause: Clause): boolean {
  const tokens = clause.tokens;
  const unknown = tokens.filter(isUnknown).length;
  if (unknown === 0) return false;
  const told = tokens.some((t) => t.concepts.has('narrative') || t.concepts.has('copula'));
  const blocks = tokens.some((t) =>
    t.quote !== undefined || (t.thing && (t.thing.kind === 'part' || t.thing.kind === 'scene')) ||
    [...t.concepts].some((c) => OPERATION_CONCEPTS.has(c) || c === 'change' || c === 'add' || c === 'remove' || c === 'replace' || c === 'keep' ||
      c === 'background' || c === 'generative' || c === 'isolate' || c === 'extend'));
  return told && !blocks;
}

/** The first frame that reads the whole clause; a refusal naming what was left over otherwise. */
function readClause(clause: Clause, ctx: FrameContext, lang: CompiledLanguage): EditOp[] {
  const { ops, closest } = tryFrames(clause, ctx);
  if (ops) return ops;
  // "Blanco y negro con mucho contraste", "schwarzweiß mit viel Kontrast": two edits joined by "with",
  // each read whole on its own side.
  for (const split of clause.tokens.flatMap((t, i) => (t.concepts.has('with') && !t.color ? [i] : []))) {
    const [before, after] = [clause.tokens.slice(0, split), clause.tokens.slice(split + 1)];
    if (!before.some((t) => !isIgnorable(t)) || !after.some((t) => !isIgnorable(t))) continue;
    const first = tryFrames(new Clause(before, undefined, clause.problem), ctx).ops;
    const second = first && tryFrames(new Clause(after, undefined, clause.problem), { ...ctx, previous: first.at(-1) }).ops;
    if (first && second) return [...first, ...second];
  }
  throw notUnderstood(clause, lang, closest?.left);
}

function tryFrames(clause: Clause, ctx: FrameContext): { ops?: EditOp[]; closest: { left: Token[] } | null } {
  let closest: { left: Token[] } | null = null;
  for (const frame of FRAMES) {
    const attempt = clause.fork();
    const result = frame.read(attempt, ctx);
    if (!result || 'kept' in result) continue;
    const left = attempt.leftover();
    if (left.length === 0) return { ops: Array.isArray(result) ? result : [result], closest };
    if (!closest || left.length < closest.left.length) closest = { left };
  }
  return { closest };
}

/**
 * "Increase the brightness and contrast": a clause that is only a tone noun borrows the direction of
 * the clause beside it.
 */
function withBorrowedDirection(tokens: Token[], before: Token[] | undefined, after: Token[] | undefined): Token[] {
  const nouns = tokens.filter((t) => !isIgnorable(t));
  const needs = nouns.length > 0 && nouns.every((t) => t.concepts.has('brightness') || t.concepts.has('contrast') || t.concepts.has('saturation'));
  if (!needs) return tokens;
  const direction = [...(before ?? []), ...(after ?? [])].find((t) => t.concepts.has('more') || t.concepts.has('less'));
  return direction ? [...tokens, direction] : tokens;
}

/**
 * "Make the background black and the mug yellow", "pon el fondo negro y la taza amarilla", "把背景
 *变成黑色，杯子黄色": a clause of a thing and a colour only, after a clause that gave something a
 * colour with a verb, shares that verb. The thing named says what is recoloured (the frames read it);
 * anything more in the clause (another verb, "is", an operation) and it is read as it stands.
 */
function withSharedVerb(tokens: Token[], before: Token[] | undefined): Token[] {
  if (!before) return tokens;
  const verb = before.find((t) => t.concepts.has('change') && !t.concepts.has('remove') && !t.concepts.has('add') && !t.concepts.has('keep'));
  if (!verb || before.filter((t) => t.color).length !== 1 || new Clause(before).problem) return tokens;
  const content = tokens.filter((t) => !isIgnorable(t));
  const colours = content.filter((t) => t.color);
  // A word the lexicon does not know may be the thing ("the kayak"): the recolour frame decides.
  const things = content.filter((t) => (t.thing !== undefined && !isPronoun(t)) || (t.concepts.has('subject') && !t.color) || isUnknown(t));
  const rest = content.filter((t) => !t.color && !things.includes(t));
  const describes = tokens.some((t) => t.concepts.has('copula') || t.concepts.has('too') || t.concepts.has('keep') || t.concepts.has('same') ||
    [...t.concepts].some((c) => OPERATION_CONCEPTS.has(c)));
  if (colours.length !== 1 || things.length === 0 || (things.every(isUnknown) && things.length > 2) || describes || rest.length > 0) return tokens;
  return [verb, ...tokens];
}

/** What a clause can be about, which a clause of verbs and directions only may take from the one before. */
const OBJECTS = ['brightness', 'contrast', 'saturation', 'noise', 'background', 'border', 'pad', 'text', 'watermark', 'hue'] as const;

/**
 * "The contrast is too strong, lower it a bit", "ノイズがひどい、除去して", "the mug is red, make it
 * blue": a clause that says only what to do (a direction, "remove", "make it" and a colour) is about
 * the thing the clause before named.
 */
function withBorrowedObject(tokens: Token[], before: Token[] | undefined): Token[] {
  if (!before) return tokens;
  const content = tokens.filter((t) => !isIgnorable(t) || t.concepts.has('remove'));
  if (content.length === 0) return tokens;
  const names = (t: Token) => OBJECTS.some((c) => t.concepts.has(c)) || t.thing !== undefined;
  // "…, make him red": a person named by a pronoun is what the clause is about, filler or not.
  if (content.some(names) || tokens.some((t) => t.thing !== undefined && !isPronoun(t))) return tokens;
  const directionsOnly = content.every((t) => t.concepts.has('more') || t.concepts.has('less') || t.concepts.has('remove') || t.concepts.has('slightly') || t.concepts.has('very'));
  const recolour = content.every((t) => t.color !== undefined) && content.length === 1 && tokens.some((t) => t.concepts.has('change'));
  if (!directionsOnly && !recolour) return tokens;
  const borrowed = before.filter((t) => names(t) || (recolour && t.color !== undefined));
  if (!borrowed.some(names)) return tokens;
  return [...borrowed, ...tokens];
}

/** What "it" may stand for besides the photo: a part of it the engine edits alone or cannot edit alone. */
const refersTo = (t: Token) => t.concepts.has('background') || t.concepts.has('text') || t.concepts.has('watermark') ||
  t.thing?.kind === 'scene' || t.thing?.kind === 'part';

/**
 * "The background is too busy, blur it", "fondo muy recargado, desenfócalo", "i can't see the text,
 * make it bigger": after a clause that only describes the background, the text or a part of the
 * scene (no verb, no edit of its own: a problem, or words the engine does not know), an edit that
 * names nothing of its own ("it", or nothing) is about that thing, never the whole photo. The frames
 * then read a background edit or refuse. "Make it bigger" after any mention of text or a watermark
 * may mean the text, which the engine cannot resize: it takes the text, and is refused. The tokens
 * to put before the clause, or undefined.
 */
function referent(tokens: Token[], before: Token[] | undefined, earlier: Array<{ tokens: Token[] }>): Token[] | undefined {
  const content = tokens.filter((t) => !isIgnorable(t));
  if (!before || content.length === 0) return undefined;
  // A clause that names what it edits ("blur the photo", "blur the background") keeps it.
  const names = (t: Token) => refersTo(t) || t.thing !== undefined || t.quote !== undefined || t.concepts.has('subject') ||
    (t.concepts.has('image') && !t.filler);
  if (tokens.some(names) || !content.some((t) => [...t.concepts].some((c) => OPERATION_CONCEPTS.has(c)))) return undefined;
  const sizeOnly = content.every((t) => t.concepts.has('bigger') || t.concepts.has('smaller') || t.concepts.has('large') || t.concepts.has('small'));
  if (sizeOnly) {
    const text = earlier.flatMap((c) => c.tokens).find((t) => t.concepts.has('text') || t.concepts.has('watermark') || t.quote !== undefined);
    if (text) return [text.quote !== undefined ? { ...text, quote: undefined, concepts: new Set(['text'] as const) } : text];
  }
  const described = new Clause(before);
  const verb = described.describesWithVerb || before.some((t) => t.quote !== undefined || t.color !== undefined);
  const about = before.filter(refersTo);
  // "There's empty white space around the logo, trim it off": "it" may be another thing the clause names.
  const others = before.some((t) => !refersTo(t) && OBJECTS.some((c) => t.concepts.has(c)));
  if (verb || others || about.length === 0 || !(described.describes || before.some(isUnknown))) return undefined;
  return about;
}

/**
 * "It's upside down, rotate it", "das Bild steht auf dem Kopf, bitte drehen": a bare "rotate" or
 * "flip" after a photo described as upside down turns it that way.
 */
function withBorrowedTurn(tokens: Token[], before: Token[] | undefined): Token[] {
  const content = tokens.filter((t) => !isIgnorable(t));
  if (!before || content.length === 0 || !content.every((t) => t.concepts.has('rotate') || t.concepts.has('flip') || t.concepts.has('mirror'))) return tokens;
  const turn = before.find((t) => t.concepts.has('upside-down'));
  return turn ? [...tokens, turn] : tokens;
}

function describeKept(k: Kept): string {
  switch (k.what) {
    case 'color': return `the ${k.name}`;
    case 'thing': return `the ${k.name}`;
    default: return `the ${k.what}`;
  }
}

const clauseText = (tokens: Token[]) => tokens.filter((t) => !t.sep).map((t) => t.text).join(' ').replace(/(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]) (?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu, '');

/**
 * An unsupported_edit that helps: the words that could not be used, what the engine took the
 * prompt's typos for, and the closest edit it can do, in the prompt's language when it has one.
 */
function notUnderstood(clause: Clause, lang: CompiledLanguage, left?: Token[]) {
  const words = (left?.length ? left : clause.tokens.filter((t) => !isIgnorable(t))).map((t) => t.text);
  const unknown = clause.tokens.filter(isUnknown).map((t) => t.text);
  // "Colorize this old family photo": the word for a generative edit is the reason, named first.
  const needsModel = clause.tokens.filter((t) => t.concepts.has('generative')).map((t) => t.text);
  // "Add a hat", "replace the sky with a beach", "turn him into a cat": adding, removing or replacing
  // is generative when what it is about is no colour the engine can give. A verb that only gives a
  // look ("make", "pon") beside a word the lexicon lacks ("pon el fondo blanco porfis") is not that:
  // the word may be anything.
  const verbs = (...cs: Concept[]) => clause.tokens.some((t) => cs.some((c) => t.concepts.has(c)));
  const generative = (verbs('add', 'replace', 'remove') && clause.tokens.some((t) => isUnknown(t) || (t.thing && t.thing.kind !== 'object'))) ||
    (verbs('change', 'to') && clause.tokens.some((t) => t.thing?.kind === 'scene')) ||
    // "Put the product on a marble countertop", "turn the cat into a tiger": somewhere or something to become.
    (verbs('change') && clause.tokens.some(isUnknown) &&
      (verbs('to', 'on', 'by') || clause.tokens.some((t) => t.thing?.kind === 'being' && t.thing.name !== 'person' && !isPronoun(t))));
  // What cannot be done is named: the words not known, or else the places and things a generative
  // edit would put in ("海滩", "Strand", not "背景" or "ersetze"), or else the words the closest edit left.
  const put = generative ? clause.tokens.filter((t) => t.thing && (t.thing.kind === 'scene' || t.thing.kind === 'part')).map((t) => t.text) : [];
  const parts = [`The local engine cannot do "${clauseText(clause.tokens)}"`];
  const named = [...new Set([...needsModel, ...(unknown.length ? unknown : needsModel.length ? [] : put.length ? put : words)])];
  parts[0] += named.length ? `: it cannot use ${named.map((w) => `"${w}"`).join(', ')}.` : '.';
  if (needsModel.length) parts.push(`${needsModel.map((w) => `"${w}"`).join(', ')} ${needsModel.length > 1 ? 'need' : 'needs'} a generative model.`);
  else if (generative) parts.push('Adding, removing or replacing things in a photo needs a generative model.');
  // A different edit is no answer to one that needs a model ("colorize" is not "make it sepia").
  const suggestion = needsModel.length ? null : suggest(clause, lang);
  if (suggestion) parts.push(`${suggestion.didYouMean.charAt(0).toUpperCase()}${suggestion.didYouMean.slice(1)}: ${suggestion.example}?`);
  parts.push(`It can do ${CAPABILITIES}.`, MORE);
  return errors.unsupportedEdit(parts.join(' '));
}

/** "Make it bigger" about the text, "brighten it" about the background: an edit the engine cannot do to that alone. */
function notAlone(tokens: Token[], about: Token[]) {
  const what = clauseText(about);
  return errors.unsupportedEdit(`The local engine cannot do "${clauseText(tokens)}" to the ${what} alone ("it" is the ${what} the prompt names before it), ` +
    `and doing it to the whole image would not be what was asked. It can do ${CAPABILITIES}. ${MORE}`);
}

/**
 * The supported edit whose words the clause shares most of, as an example in the prompt's language;
 * only one that shares something with what the clause says (a starry sky is no reason to suggest
 * recolouring a cup).
 */
function suggest(clause: Clause, lang: CompiledLanguage): { didYouMean: string; example: string } | null {
  const concepts = new Set(clause.tokens.flatMap((t) => [...t.concepts]));
  const colors = clause.tokens.some((t) => t.color);
  const scored: Array<{ score: number; frame: (typeof FRAMES)[number] }> = [];
  for (const frame of FRAMES) {
    let score = frame.triggers.filter((c) => concepts.has(c)).length;
    if (concepts.has('background') && frame.name === 'background') score += colors ? 1 : 0.5;
    if (frame.name === 'recolor' && colors && clause.tokens.some((t) => t.thing)) score += 2;
    if (score > 0) scored.push({ score, frame });
  }
  // The best first; between equals, the frame tried first.
  scored.sort((a, b) => b.score - a.score);
  // "The mug is too yellow": a tone's example goes one way ("make it warmer"), which is no answer to a
  // clause that asks for the other.
  const way = (up: Concept, down: Concept) => (concepts.has(up) === concepts.has(down) ? 0 : (concepts.has(up) ? 1 : -1) * (clause.problem ? -1 : 1));
  // A part or a place ("her hair", "the sky") is no whole object to recolour, as the example does.
  const part = clause.tokens.some((t) => t.thing?.kind === 'part' || t.thing?.kind === 'scene');
  for (const { frame } of scored) {
    const ways = WAYS[frame.example];
    if ((ways && way(...ways) < 0) || (frame.name === 'recolor' && part)) continue;
    const key = concepts.has('background') && frame.example === 'background-color'
      ? (concepts.has('blur') || concepts.has('blurry') ? 'background-blur' : concepts.has('remove') ? 'background-remove' : 'background-color')
      : frame.example;
    const own = lang.data.examples[key];
    const example = own ?? english().data.examples[key];
    if (!example || !sharesMeaning(clause.tokens, example, own ? lang : english(), frame.triggers)) continue;
    return { didYouMean: own ? lang.data.didYouMean : english().data.didYouMean, example };
  }
  return null;
}

/** The words of the tone examples, which all go up ("make it brighter", "提高对比度"). */
const WAYS: Partial<Record<ExampleKey, [Concept, Concept]>> = {
  brightness: ['bright', 'dark'], contrast: ['contrast-up', 'contrast-down'], saturation: ['vivid', 'muted'], temperature: ['warm', 'cool'],
};

/**
 * Verbs that frame many edits, generative ones too, and the word "colour" (of a recolour, a
 * negative, a bleach, "色"): shared with an example only when the example says them.
 */
const FRAMING_VERBS = new Set<Concept>(['change', 'replace', 'remove', 'add', 'color']);

/**
 * Whether an example says something the clause says too: a concept that is more than framing (its
 * frame's concepts count as one family: "too dark" and "make it brighter"), a colour, or a thing.
 */
function sharesMeaning(tokens: Token[], example: string, lang: CompiledLanguage, family: readonly Concept[]): boolean {
  const { text, quotes } = normalize(example);
  const meant = (ts: Token[]) => ts.flatMap((t) => [
    ...[...t.concepts].filter((c) => !SOFT.has(c) && c !== 'color'),
    ...(t.color ? ['a colour'] : []), ...(t.thing ? [`thing:${t.thing.name}`] : []),
  ]);
  const said = new Set([...meant(matchPieces(tokenize(text), lexiconsFor(lang), quotes, [])), ...family.filter((c) => !FRAMING_VERBS.has(c))]);
  return meant(tokens).some((m) => said.has(m));
}
