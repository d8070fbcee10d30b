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
import { checkNegations, describesState, type Negation, negationOf, statedAsOpposite } from './negation.ts';
import { fold, normalize } from './normalize.ts';
import { reconcile, tidy } from './reconcile.ts';
import { type Piece, tokenize } from './tokenize.ts';

/** The families of edits, one line, for every unsupported_edit message. */
export const CAPABILITIES =
  'tone and colour (black and white, sepia, brightness, contrast, saturation, warmth, hue, tint, invert), geometry (rotate, flip, crop, resize, trim, border, padding), ' +
  'filters (blur, sharpen, denoise, pixelate, vignette), backgrounds (remove, colour, blur, black and white, the second image), recolouring a whole object, text and watermarks';

const MORE = 'See "What the local engine does" in the README; for other edits, configure an upstream model (OpenAI or Gemini).';

/** Why a file format asked for in the prompt is refused, and where to ask for it. */
const FORMAT = "The file format is no edit: ask for it with the request's output_format parameter (png, webp or jpeg).";

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
  const said = { pieces, quotes, surface: surfaceOf(prompt) };
  // When words alone cannot tell two languages apart, the first that reads the whole prompt; the
  // refusal, when none does, is the preferred language's.
  const [first, ...others] = detectLanguages(pieces);
  try {
    const plan = parseIn(said, first!);
    // "Recorta para 16:9" is as much Spanish as Portuguese: when another language with as many words
    // of its own reads the prompt too, the plan names no language rather than perhaps the wrong one.
    const own = ownWords(pieces, first!);
    if (plan.language && others.some((l) => ownWords(pieces, l) === own && readsWhole(said, l))) delete plan.language;
    return plan;
  } catch (err) {
    if (!(err instanceof RetouchError)) throw err;
    for (const lang of others) {
      try {
        return parseIn(said, lang);
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

/** A prompt as the parser reads it: its pieces, its quotes, and the words as they were typed. */
interface Said {
  pieces: Piece[];
  quotes: string[];
  /** The words of normalised text as the prompt wrote them ("fuge" → "Füge"), for suggestions. */
  surface: (folded: string) => string;
}

/**
 * The words of normalised text as the prompt typed them: each folded word back to the first word of
 * the prompt that folds to it, for suggestions that repeat what the user said in the user's words.
 */
function surfaceOf(prompt: string): (folded: string) => string {
  const typed = new Map<string, string>();
  // Words of letters that are not Chinese or Japanese ("文字SALE" holds "SALE"), which fold leaves as they are.
  for (const w of prompt.normalize('NFKC').match(/(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{M}\p{N}'’])+/gu) ?? []) {
    const key = fold(w).trim();
    if (key && !typed.has(key)) typed.set(key, w);
  }
  return (folded) => folded.split(' ').map((w) => typed.get(w) ?? w).join(' ');
}

function readsWhole(said: Said, lang: CompiledLanguage): boolean {
  try {
    parseIn(said, lang);
    return true;
  } catch (err) {
    if (err instanceof RetouchError) return false;
    throw err;
  }
}

function parseIn({ pieces, quotes, surface }: Said, lang: CompiledLanguage): EditPlan {
  const corrections: Correction[] = [];
  const tokens = compose(matchPieces(pieces, lexiconsFor(lang), quotes, corrections));
  const split = splitClauses(tokens);
  const clauses = split.map((c) => ({ ...c, tokens: dropPurpose(c.tokens) }));
  const ops: Array<{ op: EditOp; problem: boolean }> = [];
  const kept: Kept[] = [];
  const negations: Negation[] = [];
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
    if (raw.tokens.every(isIgnorable) && !raw.tokens.some(means)) return;
    // "Too cold and blue": a colour alone after a problem only describes it further.
    if (previousProblem && raw.andJoined && raw.tokens.filter((t) => !isIgnorable(t)).every((t) => t.color && t.concepts.size === 0)) return;
    const obscuredBeside = obscuredOnly(clauses[i - 1]) || obscuredOnly(clauses[i + 1]);
    // "The image is not bright": a photo said not to have a look has the opposite one.
    const stated = statedAsOpposite(raw.tokens);
    if (!stated) return;
    const named = referred[i] ? [...referred[i]!, ...stated] : stated;
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
      if (!read || !('kept' in read)) throw notUnderstood(clause, lang, surface);
      if (attempt.leftover().length) throw notUnderstood(clause, lang, surface, attempt.leftover());
      kept.push(...read.kept);
      return;
    }
    // "Don't crop", "ne recadre pas": an edit not to make is no step but a constraint on the plan.
    const negation = negationOf(clause.tokens, clause.describes);
    if (negation) { negations.push(negation); return; }
    const ctx: FrameContext = { previous: ops.at(-1)?.op, unknownObjects: lang === english() };
    try {
      for (const op of readClause(clause, ctx, lang, surface)) ops.push({ op, problem: clause.problem });
    } catch (err) {
      if (referred[i] && err instanceof RetouchError) throw notAlone(raw.tokens, referred[i]!);
      // "Mach es schwarz und weiz", "make it blak and wote": a clause cut short by a word the engine
      // could not read in the next one ("schwarz" is no edit without "weiß") is refused with it,
      // naming that word, not only its own.
      const next = clauses[i + 1];
      if (err instanceof RetouchError && !clause.problem && next?.andJoined && next.tokens.some(isUnknown)) {
        const [from, to] = [tokens.indexOf(split[i]!.tokens[0]!), tokens.indexOf(split[i + 1]!.tokens.at(-1)!)];
        throw notUnderstood(new Clause(from >= 0 && to > from ? tokens.slice(from, to + 1) : [...raw.tokens, ...next.tokens]), lang, surface);
      }
      // "Fondo muy recargado, desenfócalo": a description the next clause acts on is its reason.
      const described = referred[i + 1] !== undefined && !clause.describesWithVerb;
      if ((!clause.problem && !described) || clause.describesWithVerb) throw err;
      unreadProblems.push(clause);
    }
  });
  if (unreadProblems.length && !ops.some((o) => !o.problem)) throw notUnderstood(unreadProblems[0]!, lang, surface);
  // "Add a vignette, the face is too shiny": a problem of a part of the photo is no reason for an edit
  // of the photo's look, which cannot fix that part alone; unless another clause is about the same part,
  // or the edit moves or frames the photo ("the text on the shirt is backwards", "white space around
  // the logo": flip, trim), it is a request of its own the engine cannot do, never set aside.
  const about = new Set(read.flatMap((ts) => (unreadProblems.some((u) => u.tokens === ts) ? [] : ts.filter(isPart).map((t) => t.thing!.name))));
  const framing = ops.some((o) => !o.problem && GEOMETRY.has(o.op.op));
  const unrelated = unreadProblems.find((u) => !framing && u.tokens.some((t) => isPart(t) && !about.has(t.thing!.name)));
  if (unrelated) throw notUnderstood(unrelated, lang, surface);
  const plan = reconcile(tidy(ops), kept);
  checkNegations(plan, negations);
  if (plan.length === 0) {
    // "Convert to png": PNG is filler beside an edit, and alone only a file format.
    if (tokens.some((t) => t.concepts.has('file-format'))) throw errors.unsupportedEdit(`The prompt asks for no change the local engine can make. ${FORMAT} It can do ${CAPABILITIES}. ${MORE}`);
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

/** A part or a place in the photo ("her face", "the sky"), which the engine cannot edit alone. */
const isPart = (t: Token) => t.thing?.kind === 'part' || t.thing?.kind === 'scene';

/** Edits that move, turn or frame the photo rather than change its look. */
const GEOMETRY = new Set<EditOp['op']>(['rotate', 'flip', 'trim', 'crop-aspect', 'resize', 'pad', 'border']);

const means = (t: Token) => !t.filler && !t.sep && [...t.concepts].some((c) => !SOFT.has(c));

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
function readClause(clause: Clause, ctx: FrameContext, lang: CompiledLanguage, surface: Said['surface']): EditOp[] {
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
  throw notUnderstood(clause, lang, surface, closest?.left);
}

function tryFrames(clause: Clause, ctx: FrameContext): { ops?: EditOp[]; closest: { left: Token[] } | null } {
  let closest: { left: Token[] } | null = null;
  for (const frame of FRAMES) {
    const attempt = clause.fork();
    const result = frame.read(attempt, ctx);
    if (!result || 'kept' in result) continue;
    const left = attempt.leftover();
    // A frame that used every word but gave no step has not read the clause: it would vanish from the plan.
    const ops = Array.isArray(result) ? result : [result];
    if (left.length === 0 && ops.length > 0) return { ops, closest };
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
  // "Raise it": a verb with a framing sense ("raise": make more) is content here.
  const content = tokens.filter((t) => !isIgnorable(t) || t.concepts.has('remove') || (!t.filler && (t.concepts.has('more') || t.concepts.has('less'))));
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
function notUnderstood(clause: Clause, lang: CompiledLanguage, surface: Said['surface'], left?: Token[]) {
  const words = (left?.length ? left : clause.tokens.filter((t) => !isIgnorable(t))).map((t) => t.text);
  const unknown = clause.tokens.filter(isUnknown).map((t) => t.text);
  // "Colorize this old family photo": the word for a generative edit is the reason, named first.
  // Beside quoted text to write, such a word ("comic", "cartoon") is the text's style, which no model gives either.
  const quoted = clause.tokens.some((t) => t.quote !== undefined);
  const needsModel = quoted ? [] : clause.tokens.filter((t) => t.concepts.has('generative')).map((t) => t.text);
  // "Add a hat", "replace the sky with a beach", "turn him into a cat": adding, removing or replacing
  // is generative when what it is about is no colour the engine can give. A verb that only gives a
  // look ("make", "pon") beside a word the lexicon lacks ("pon el fondo blanco porfis") is not that:
  // the word may be anything.
  const verbs = (...cs: Concept[]) => clause.tokens.some((t) => cs.some((c) => t.concepts.has(c)));
  // "Add the text SALE", "add the text 'SALE' in comic sans": text to write is no thing to paint in.
  const writes = verbs('text', 'watermark') || quoted;
  // "Convert to jpeg": a file format is how the result is saved, not an edit.
  const format = verbs('file-format');
  const generative = !writes && !format && (verbs('add', 'replace', 'remove') && clause.tokens.some((t) => isUnknown(t) || (t.thing && t.thing.kind !== 'object'))) ||
    (verbs('change', 'to') && clause.tokens.some((t) => t.thing?.kind === 'scene')) ||
    // "Put the product on a marble countertop", "turn the cat into a tiger": somewhere or something to become.
    (verbs('change') && clause.tokens.some(isUnknown) &&
      (verbs('to', 'on', 'by') || clause.tokens.some((t) => t.thing?.kind === 'being' && t.thing.name !== 'person' && !isPronoun(t))));
  // What cannot be done is named: the words not known, or else the places and things a generative
  // edit would put in ("海滩", "Strand", not "背景" or "ersetze"), or else the words the closest edit left.
  const put = generative ? clause.tokens.filter((t) => t.thing && (t.thing.kind === 'scene' || t.thing.kind === 'part')).map((t) => t.text) : [];
  const parts = [`The local engine cannot do "${clauseText(clause.tokens)}"`];
  // Beside quoted text, a style word ("comic") is named with the words not known ("sans").
  const styles = quoted ? clause.tokens.filter((t) => t.concepts.has('generative')).map((t) => t.text) : [];
  // Unquoted, the words that seem to be the text to write are what it cannot use.
  const run = writes && !quoted ? unquotedText(clause.tokens) : null;
  const unread = run ? clause.tokens.slice(run.from, run.to).map((t) => t.text) : unknown;
  const named = [...new Set([...needsModel, ...(unread.length ? [...styles, ...unread] : needsModel.length ? [] : put.length ? put : words)])];
  parts[0] += named.length ? `: it cannot use ${named.map((w) => `"${w}"`).join(', ')}.` : '.';
  if (needsModel.length) parts.push(`${needsModel.map((w) => `"${w}"`).join(', ')} ${needsModel.length > 1 ? 'need' : 'needs'} a generative model.`);
  else if (generative) parts.push('Adding, removing or replacing things in a photo needs a generative model.');
  else if (format) parts.push(FORMAT);
  else if (writes && !quoted) parts.push('The words to write must be in quotes ("…" or \'…\'), so that the engine can tell them from the instruction.');
  else if (writes) parts.push('It writes quoted text in one typeface, choosing only its colour, its size and its place (a corner, an edge or the centre); it cannot choose a font or a text style.');
  // A different edit is no answer to one that needs a model ("colorize" is not "make it sepia"), and
  // a stock example for text is none to a prompt that placed or styled its text (it would drop that).
  const own = writes ? rewritten(clause, lang, surface) : null;
  const styled = clause.tokens.some((t) => t.color || [...t.concepts].some((c) => STYLES.has(c)));
  const suggestion = needsModel.length || format ? null : own ? { didYouMean: lang.data.didYouMean, example: own } : writes && styled ? null : suggest(clause, lang);
  if (suggestion) parts.push(`${suggestion.didYouMean.charAt(0).toUpperCase()}${suggestion.didYouMean.slice(1)}: ${suggestion.example}?`);
  parts.push(`It can do ${CAPABILITIES}.`, MORE);
  return errors.unsupportedEdit(parts.join(' '));
}

/** What places or sizes text: words a stock example would contradict. */
const STYLES = new Set<Concept>(['top', 'bottom', 'left', 'right', 'center', 'corner', 'large', 'small', 'bigger', 'smaller', 'opacity']);

/** Prepositions and articles that go with the words after them ("in comic sans"), left out with them. */
const LEADS = new Set<Concept>(['to', 'on', 'with', 'by', 'of', 'from', 'for', 'as']);

/**
 * A clause that writes text, as the engine can do it, in the prompt's own words with only what had to
 * change changed: the words right after "text" ("the text SALE", "Text SALE", "saying SALE") put in
 * quotes when nothing is quoted, and words no frame could use left out with the preposition before
 * them ("in comic sans"). Where it says a place, a colour or a size, the suggestion says it too. Null
 * when that is still no text the engine writes.
 */
function rewritten(clause: Clause, lang: CompiledLanguage, surface: Said['surface']): string | null {
  let tokens = clause.tokens.filter((t) => !t.sep);
  if (!tokens.some((t) => t.quote !== undefined)) {
    const run = unquotedText(tokens);
    if (!run) return null;
    const words = surface(tokens.slice(run.from, run.to).map((t) => t.text).join(' '));
    tokens = [...tokens.slice(0, run.from), { text: `'${words}'`, concepts: new Set(), filler: false, quote: words }, ...tokens.slice(run.to)];
  }
  const ctx: FrameContext = { previous: undefined, unknownObjects: lang === english() };
  for (let attempt = 0; attempt < 3; attempt++) {
    const { ops, closest } = tryFrames(new Clause(tokens), ctx);
    if (ops) {
      if (!ops.every((op) => op.op === 'text' || op.op === 'watermark')) return null;
      return tokens.map((t) => (t.quote !== undefined ? t.text : surface(t.text))).join(' ')
        .replace(/(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}']) (?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}'])/gu, '');
    }
    if (!closest?.left.length) return null;
    const drop = new Set(closest.left);
    for (let i = tokens.length - 1; i > 0; i--) {
      const t = tokens[i - 1]!;
      const leads = (t.filler && t.concepts.size === 0) || (t.concepts.size > 0 && [...t.concepts].every((c) => LEADS.has(c)));
      if (drop.has(tokens[i]!) && leads && t.quote === undefined) drop.add(t);
    }
    tokens = tokens.filter((t) => !drop.has(t));
  }
  return null;
}

/**
 * Where the words to write seem to be when they are not quoted: right after "text", "saying" or
 * "watermark", up to four words no text edit reads (not a place, a size, a colour, a number or
 * filler): words the lexicon does not know ("SALE") or knows as something else ("SOLDES", which it
 * took for "soles", "REBAJAS", "lowers"). Null when there are none.
 */
function unquotedText(tokens: Token[]): { from: number; to: number } | null {
  const names = (t: Token | undefined) => !!t && (t.concepts.has('text') || t.concepts.has('watermark'));
  const at = tokens.findIndex(names);
  if (at < 0) return null;
  // "Add text saying SALE", "escreva o texto PROMOÇÃO": the words come after the last of them.
  let from = at + 1;
  while (from < tokens.length && (names(tokens[from]) || (isIgnorable(tokens[from]!) && tokens[from]!.quote === undefined))) from++;
  const styles = (t: Token) => t.color || t.number !== undefined || t.quote !== undefined || isIgnorable(t) || [...t.concepts].some((c) => STYLES.has(c) || c === 'color');
  let to = from;
  while (to < tokens.length && !styles(tokens[to]!)) to++;
  return to === from || to - from > 4 ? null : { from, to };
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
  // "Don't crop …": an edit the clause says not to make is never the one to suggest; "the photo
  // doesn't look sharp" says how the photo is, and its fix is.
  if (clause.tokens.some((t) => t.concepts.has('not')) && !describesState(clause.tokens, clause.describes)) return null;
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
