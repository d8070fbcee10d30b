import type { RGB } from './colors.ts';
import type { Concept } from './lexicon/types.ts';
import type { Token } from './match.ts';

/**
 * Concepts that frame an edit without adding to it ("make it…", "the image", "to"): a frame may leave
 * them unused. Every other token must be used by the frame that reads the clause, or the clause is
 * not understood.
 */
export const SOFT = new Set<Concept>(['image', 'change', 'add', 'only', 'to', 'of', 'with', 'on', 'from', 'by', 'copula', 'for', 'as', 'and',
  'then', 'but', 'slightly', 'very', 'plain', 'setting', 'everything', 'narrative', 'purpose', 'obscured']);

/** Concepts that name an operation, used to tell keep clauses and problem descriptions apart. */
export const OPERATION_CONCEPTS = new Set<Concept>(['grayscale', 'sepia', 'invert', 'blur', 'blurry', 'sharpen', 'denoise', 'noise', 'pixelate',
  'vignette', 'rotate', 'flip', 'mirror', 'upside-down', 'quarter-turn', 'half-turn', 'square', 'portrait', 'landscape', 'widescreen', 'story', 'resize', 'bigger', 'smaller', 'crop', 'trim', 'border', 'pad', 'canvas', 'text', 'watermark', 'hue',
  'tint', 'bright', 'dark', 'brightness', 'contrast', 'contrast-up', 'contrast-down', 'saturation', 'vivid', 'muted', 'warm', 'cool', 'remove',
  'replace', 'isolate', 'extend', 'transparent', 'studio']);

const VERBS = new Set<Concept>(['change', 'replace', 'remove', 'add', 'isolate', 'extend']);

/** Words that can be the fix for a photo nobody can see into ("brighten it, I can't see anything"). */
const VISIBILITY_FIXES = new Set<Concept>(['more', 'less', 'bright', 'sharpen', 'denoise', 'contrast-up']);

/** One instruction of a prompt, with a record of which of its tokens a frame has used. */
export class Clause {
  private used: boolean[];
  /**
   * A clause that describes a problem ("it's too dark", "the photo is blurry") asks for the opposite
   * of its words: frames flip the direction of what they read.
   */
  readonly problem: boolean;
  /** A problem in the clause's own words, not only carried on from the clause before ("too dark and …"). */
  readonly describes: boolean;
  /** A problem said with a verb of its own ("remove the noise, it's too much"): not set aside. */
  readonly describesWithVerb: boolean;
  /**
   * A problem only because of a complaint word and no verb ("blurry background", "fondo desenfocado"):
   * where the word also names a wanted look, a frame may read it as that.
   */
  readonly complaintOnly: boolean;

  /**
   * @param obscuredBeside a clause next to this one says only that nothing can be seen ("muy oscura,
   * no se ve nada"), which makes a bare description here the problem.
   */
  constructor(readonly tokens: Token[], used?: boolean[], inheritedProblem = false, obscuredBeside = false) {
    this.used = used ? [...used] : tokens.map(() => false);
    // A word that is a noun as well as a verb ("Farben": colours, or "färben": dye) is not the verb here.
    // Words set aside as a purpose ("… so it looks cozier") do not make the clause a problem.
    const said = tokens.filter((t) => !t.purpose);
    const anyVerb = said.some((t) => [...t.concepts].some((c) => VERBS.has(c)) && !t.concepts.has('copula') && !t.concepts.has('color'));
    const copula = said.some((t) => t.concepts.has('copula'));
    const too = said.some((t) => t.concepts.has('too'));
    const complaint = said.some((t) => t.concepts.has('complaint')) && !anyVerb;
    // "So dark I can't see anything", "暗くてよく見えない": that nothing can be seen makes the words
    // beside it a description of the photo, unless they say what to do ("brighten it, I can't see anything").
    const obscured = (obscuredBeside || said.some((t) => t.concepts.has('obscured'))) && !anyVerb &&
      !said.some((t) => [...t.concepts].some((c) => VISIBILITY_FIXES.has(c)));
    // "Very dark", "muito escuro", "très sombre": with no verb, an intensifier and a plain adjective
    // only say how the photo looks (as "too dark" does); "make it very dark", "much darker" ask for the look,
    // and so does an intensifier of a comparative, which is a phrase ("muito mais escuro", "mucho más oscuro").
    const intensifier = (t: Token) => t.concepts.has('very') && !t.text.includes(' ');
    const stated = !anyVerb && said.some(intensifier) && said.some((t) => t.concepts.has('state')) &&
      said.every((t) => isIgnorable(t) || intensifier(t) || t.concepts.has('state') || t.concepts.has('image'));
    // "It's too dark and a bit blurry": the second clause describes a problem too.
    this.describes = too || (copula && !anyVerb) || complaint || obscured || stated;
    this.problem = this.describes || (inheritedProblem && !anyVerb);
    this.complaintOnly = complaint && !too && !copula && !inheritedProblem && !obscured;
    this.describesWithVerb = anyVerb;
  }

  /** A copy to try a frame on, so a frame that does not fit leaves no marks. */
  fork(): Clause {
    const copy = new Clause(this.tokens, this.used);
    (copy as { problem: boolean }).problem = this.problem;
    (copy as { describes: boolean }).describes = this.describes;
    (copy as { complaintOnly: boolean }).complaintOnly = this.complaintOnly;
    return copy;
  }

  /** Whether an unused token carries the concept. */
  has(...concepts: Concept[]): boolean {
    return this.tokens.some((t, i) => !this.used[i] && concepts.some((c) => t.concepts.has(c)));
  }

  /** Index of the first unused token with one of the concepts, or -1. */
  indexOf(...concepts: Concept[]): number {
    return this.tokens.findIndex((t, i) => !this.used[i] && concepts.some((c) => t.concepts.has(c)));
  }

  /** Uses the first unused token with one of the concepts. */
  take(...concepts: Concept[]): Token | undefined {
    const i = this.indexOf(...concepts);
    if (i < 0) return undefined;
    this.used[i] = true;
    return this.tokens[i];
  }

  /** Uses every unused token with one of the concepts. */
  takeAll(...concepts: Concept[]): Token[] {
    const out: Token[] = [];
    for (let t = this.take(...concepts); t; t = this.take(...concepts)) out.push(t);
    return out;
  }

  /** Uses the tokens a predicate picks, returning them with their indexes. */
  takeWhere(pred: (t: Token, i: number) => boolean): Array<{ token: Token; index: number }> {
    const out: Array<{ token: Token; index: number }> = [];
    this.tokens.forEach((t, i) => {
      if (!this.used[i] && pred(t, i)) {
        this.used[i] = true;
        out.push({ token: t, index: i });
      }
    });
    return out;
  }

  /** Unused tokens a predicate picks, without using them. */
  find(pred: (t: Token, i: number) => boolean): Array<{ token: Token; index: number }> {
    return this.tokens.flatMap((t, i) => (!this.used[i] && pred(t, i) ? [{ token: t, index: i }] : []));
  }

  use(index: number) {
    this.used[index] = true;
  }

  isUsed(index: number) {
    return this.used[index]!;
  }

  /** The colours still unused, in order. */
  colors(): Array<{ color: RGB; index: number; token: Token }> {
    return this.find((t) => t.color !== undefined).map(({ token, index }) => ({ color: token.color!, index, token }));
  }

  /**
   * Content the frame did not use: the words that make a clause not understood. A word that only
   * repeats what the frame used ("a vintage sepia look", "portrait-mode blurred background") is not
   * left over.
   */
  leftover(): Token[] {
    const usedConcepts = new Set(this.tokens.flatMap((t, i) => (this.used[i] ? [...t.concepts] : [])));
    const repeats = (t: Token) =>
      t.concepts.size > 0 && !t.color && !t.thing && t.number === undefined && t.quote === undefined && !t.dims && !t.ratio &&
      [...t.concepts].every((c) => usedConcepts.has(c));
    return this.tokens.filter((t, i) => !this.used[i] && !isIgnorable(t) && !repeats(t));
  }
}

/** Filler and soft concepts never block a frame. */
export function isIgnorable(t: Token): boolean {
  if (t.filler || t.sep) return true;
  if (t.color || t.thing || t.number !== undefined || t.quote !== undefined || t.dims || t.ratio) return false;
  // A word with a framing sense among others ("add", "filter") frames when nothing used its other senses.
  return [...t.concepts].some((c) => SOFT.has(c));
}

/** True when the token carries no meaning the lexicon knows: a word to name in a refusal. */
/**
 * "Ihn", "ele", "lui", "them", "it": a pronoun that may stand for a thing as well as a person (the
 * background is "der Hintergrund", "o fundo"). The lexicons map a pronoun that only ever means a
 * person ("him", "her", "彼", "她") to `person`, which is not one of these: "make him red" is about
 * a person, never the background.
 */
const PRONOUNS = new Set(['him', 'her', 'them', 'me', 'it']);
export const isPronoun = (t: Token) => t.thing?.kind === 'being' && PRONOUNS.has(t.thing.name);

export const isUnknown = (t: Token) =>
  !t.filler && !t.sep && t.concepts.size === 0 && !t.color && !t.thing && t.number === undefined && t.quote === undefined && !t.dims && !t.ratio && !t.colorMod;

/**
 * Splits tokens into clauses at punctuation and at words that only join clauses ("and", "then",
 * "but"). "except …" starts a keep clause of its own ("blur everything except the subject").
 */
export interface RawClause {
  tokens: Token[];
  /** Starts with "except": a keep clause whatever its words. */
  keep: boolean;
  /** Joined to the clause before by "and" rather than by punctuation or "then". */
  andJoined: boolean;
}

export function splitClauses(tokens: Token[]): RawClause[] {
  const clauses: RawClause[] = [];
  let current: Token[] = [];
  let keep = false;
  let andJoined = false;
  let nextAnd = false;
  const flush = (joinedByAnd: boolean) => {
    if (current.some((t) => !t.filler)) {
      clauses.push({ tokens: current, keep, andJoined });
      andJoined = joinedByAnd;
    } else andJoined ||= joinedByAnd;
    current = [];
    keep = false;
  };
  for (const t of tokens) {
    // "右上に「SALE」と赤字で入れて": after a quote, "と" says what is written, it does not join two edits.
    if (t.concepts.has('quotative') && current.at(-1)?.quote !== undefined) { current.push({ ...t, concepts: new Set(), filler: true }); continue; }
    const joinsOnly = [...t.concepts].some((c) => c === 'and' || c === 'then' || c === 'but') &&
      [...t.concepts].every((c) => c === 'and' || c === 'then' || c === 'but' || c === 'quotative');
    if (t.sep || joinsOnly) { nextAnd = !t.sep && t.concepts.has('and') && t.concepts.size === 1; flush(nextAnd); continue; }
    if (t.concepts.has('except') && current.some((c) => !c.filler)) { flush(false); keep = true; }
    // "Alles außer Rot schwarz-weiß machen": the exception ends where the operation starts.
    else if (keep && operates(t) && current.some((c) => c.concepts.has('except'))) flush(false);
    current.push(t);
    // "背景を消してから…" (after removing the background, …): a verb form that also says "then" ends its clause.
    // "ちょっと暗いので…" (it is a bit dark, so …): a "then" that is also "is" ends a clause that states a problem.
    if (t.concepts.has('then') && ([...t.concepts].some((c) => VERBS.has(c)) || t.concepts.has('copula'))) flush(false);
  }
  flush(false);
  return mergeFragments(clauses.flatMap(splitAfterKeep).flatMap(splitAfterProblem));
}

/** The tones a problem may be about; a word of one family is no fix for a problem of another. */
const TONE_FAMILIES: Concept[][] = [['bright', 'dark', 'brightness'], ['warm', 'cool', 'temperature'], ['vivid', 'muted', 'saturation'],
  ['contrast-up', 'contrast-down', 'contrast'], ['blur', 'blurry', 'sharpen'], ['noise', 'denoise']];
const familyOf = (t: Token) => TONE_FAMILIES.findIndex((f) => f.some((c) => t.concepts.has(c)));

/**
 * "太黄太暗了", "黄色すぎるし暗い", "it is too yellow too dark": a word that is a whole problem by
 * itself ("too" and its tone in one, "太黄", "too yellow") ends its clause when a tone of another
 * family follows; read together, one problem's frame took the other's "too" and the first problem
 * was lost. The rest goes on describing, as after "and".
 */
function splitAfterProblem(c: RawClause): RawClause[] {
  const at = c.tokens.findIndex((t, i) => t.concepts.has('too') && familyOf(t) >= 0 &&
    c.tokens.slice(i + 1).some((x) => familyOf(x) >= 0 && familyOf(x) !== familyOf(t)));
  if (at < 0 || c.keep) return [c];
  const rest = { tokens: c.tokens.slice(at + 1), keep: false, andJoined: true };
  return [{ ...c, tokens: c.tokens.slice(0, at + 1) }, ...splitAfterProblem(rest)];
}

const operates = (t: Token) => !t.concepts.has('same') && [...t.concepts].some((k) => OPERATION_CONCEPTS.has(k));

/**
 * Verb-final languages end a keep with its verb and go on with the edit in the same sentence
 * ("赤だけ残して他は白黒に": keep only the red, the rest black and white): split after the keep.
 */
function splitAfterKeep(c: RawClause): RawClause[] {
  const k = c.tokens.findIndex((t) => t.concepts.has('keep') && !t.concepts.has('change'));
  if (k <= 0) return [c];
  const before = c.tokens.slice(0, k);
  const after = c.tokens.slice(k + 1);
  if (!before.some((t) => !isIgnorable(t)) || before.some(operates) || !after.some(operates)) return [c];
  return [{ tokens: c.tokens.slice(0, k + 1), keep: true, andJoined: c.andJoined }, { tokens: after, keep: false, andJoined: false }];
}

/**
 * A clause with no operation of its own ("…, in red", "…, 90 degrees", "…, with a soft shadow") adds
 * to the clause before it.
 */
const ADD_ON = new Set<Concept>(['top', 'bottom', 'left', 'right', 'center', 'corner', 'shadow', 'large', 'small', 'opacity', 'clockwise', 'counterclockwise',
  'degree', 'pixel', 'percent', 'upside-down', 'horizontal', 'vertical', 'width', 'height']);

/** A word that only adds to an edit (a position, a direction, a unit); one that also names an operation ("左右反転") does not. */
const addsOn = (t: Token) => [...t.concepts].some((x) => ADD_ON.has(x)) && ![...t.concepts].some((x) => OPERATION_CONCEPTS.has(x) && !ADD_ON.has(x));

const directed = (t: Token) => t.concepts.has('more') || t.concepts.has('less');

function mergeFragments(clauses: RawClause[]): RawClause[] {
  const out: RawClause[] = [];
  for (const c of clauses) {
    const content = c.tokens.filter((t) => !isIgnorable(t));
    const keeps = c.tokens.some((t) => t.concepts.has('keep') || t.concepts.has('same'));
    // A verb that is also a preposition ("用红色": with red) does not make a clause of its own.
    const verb = c.tokens.some((t) => [...t.concepts].some((x) => VERBS.has(x)) && !['with', 'to', 'on', 'for', 'as'].some((p) => t.concepts.has(p as Concept)));
    // "…, en rojo en el centro": a colour beside a position or size styles the edit before, even after "and".
    const styled = content.some(addsOn);
    const last = out.at(-1);
    // "在右下角加上文字「限时特价」，红色", "add a border, white": a bare colour after text, a watermark or
    // a border is its colour, and "，大一点" the size of the text; elsewhere a colour needs "in"/"with"
    // to style the edit before.
    const overlay = !!last && !c.andJoined && last.tokens.some((x) => x.quote !== undefined || x.concepts.has('text') || x.concepts.has('watermark') || x.concepts.has('border'));
    // "…, lower it a bit": a position word that is also a direction ("lower", "higher") is the
    // direction, unless a position beside it says it is one ("…, lower left").
    const placed = (t: Token) => addsOn(t) && (!directed(t) || content.some((x) => x !== t && addsOn(x) && !directed(x)));
    const fragment = !c.keep && !keeps && !verb && content.length > 0 && content.every((t) =>
      t.number !== undefined || t.dims || (t.color && (overlay || ((!c.andJoined || styled) && c.tokens.some((x) => x.concepts.has('to') || x.concepts.has('with'))))) ||
      (overlay && !t.color && (t.concepts.has('bigger') || t.concepts.has('smaller'))) || placed(t));
    const sequenced = last?.tokens.at(-1)?.concepts.has('then') ?? false;
    if (fragment && last && !sequenced && content.some((t) => !t.color || !c.andJoined)) last.tokens = [...last.tokens, ...c.tokens];
    else out.push(c);
  }
  return out;
}

/**
 * A purpose at the end of a clause ("for my Etsy shop", "as a profile picture", "for Instagram")
 * says what the image is for, not how to edit it: its words become filler, so that names of shops
 * and platforms the lexicon does not list do not make the clause unknown. It must hold nothing an
 * edit could use (no colour, number, quote or operation).
 */
export function dropPurpose(input: Token[]): Token[] {
  const tokens = intensified(input);
  const at = tokens.findIndex((t) => t.concepts.has('for') || t.concepts.has('purpose') || (t.concepts.has('as') && !t.concepts.has('keep')));
  if (at < 0) return tokens;
  const tail = tokens.slice(at + 1);
  // "Swap the cat for a rabbit", "mude o fundo para uma praia": after "replace", or after a background
  // to change, with nothing said yet of what it becomes, "for"/"para" says what it becomes, not why.
  const head = tokens.slice(0, at);
  const becomes = !tokens[at]!.concepts.has('purpose') &&
    (head.some((t) => t.concepts.has('replace')) || (head.some((t) => t.concepts.has('change')) && head.some((t) => t.concepts.has('background')))) &&
    !head.some((t) => t.color || t.quote !== undefined || ['with', 'to', 'second'].some((c) => t.concepts.has(c as Concept)) ||
      [...t.concepts].some((c) => OPERATION_CONCEPTS.has(c) && c !== 'replace'));
  if (becomes) return tokens;
  // "… so it looks cozier": a result ("so", "so that") may describe the edit itself; it adds no target.
  const result = tokens[at]!.concepts.has('purpose');
  // A look only a generative model gives ("so it looks like a painting") is asked for, not a reason.
  const target = (t: Token) => t.color || t.number !== undefined || t.quote !== undefined || t.dims || t.ratio || t.thing?.kind === 'part' ||
    t.concepts.has('background') || t.concepts.has('second') || t.concepts.has('generative') || t.concepts.has('file-format');
  if (result && tail.length > 0 && tail.length <= 10 && !tail.some(target)) return [...tokens.slice(0, at), ...tokens.slice(at).map((t) => ({ ...t, filler: true, purpose: true }))];
  const usable = (t: Token) =>
    t.color || t.number !== undefined || t.quote !== undefined || t.dims || t.ratio || t.thing?.kind === 'part' ||
    [...t.concepts].some((c) => OPERATION_CONCEPTS.has(c) || c === 'background' || c === 'keep' || c === 'square' || c === 'story' ||
      c === 'portrait' || c === 'landscape' || c === 'widescreen' || c === 'second' || c === 'generative' || c === 'file-format');
  if (tail.length === 0 || tail.length > 10 || tail.some(usable)) return tokens;
  return [...tokens.slice(0, at), ...tokens.slice(at).map((t) => ({ ...t, filler: true, purpose: true }))];
}

/** Words that describe how a photo looks, which a purpose word right before only intensifies. */
const DESCRIPTIONS = new Set<Concept>(['bright', 'dark', 'blurry', 'complaint', 'noise', 'vivid', 'muted', 'warm', 'cool', 'contrast-up', 'contrast-down']);

/**
 * "So dark I can't see anything", "it's so blurry": a purpose word ("so") right before a description
 * is not a purpose but "too" (or "very" beside a verb: "make it so bright"), so the description is
 * not set aside as the reason for the edit. A purpose phrase with its own subject ("so it pops",
 * "so that") starts a clause of purpose whatever follows, and so does "so" after an edit ("brighten
 * it so dark areas show").
 */
function intensified(tokens: Token[]): Token[] {
  const verb = tokens.some((t) => [...t.concepts].some((c) => VERBS.has(c)) && !t.concepts.has('copula'));
  return tokens.map((t, i) => {
    const next = tokens[i + 1];
    if (!t.concepts.has('purpose') || t.text.includes(' ') || !next || next.color || next.thing || ![...next.concepts].some((c) => DESCRIPTIONS.has(c))) return t;
    if (tokens.slice(0, i).some((x) => [...x.concepts].some((c) => OPERATION_CONCEPTS.has(c)))) return t;
    return { ...t, concepts: new Set<Concept>([verb ? 'very' : 'too']), filler: false };
  });
}
