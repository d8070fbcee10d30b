import { type RGB } from './colors.ts';
import { type CompiledLanguage, type Entry, merge } from './lexicon/compile.ts';
import type { Piece } from './tokenize.ts';

/**
 * One unit of meaning in a prompt, as the grammar sees it: what the lexicon says the words mean
 * (concepts, filler, a colour, a thing, a number), and what the prompt itself adds.
 */
export interface Token extends Entry {
  /** The words as typed (normalised), for messages. */
  text: string;
  unit?: 'deg' | 'px' | 'pct' | 'x';
  /** Written with a sign ("-90", "+20%"); `number` is the magnitude. */
  sign?: 1 | -1;
  dims?: { width: number; height: number };
  ratio?: { width: number; height: number };
  quote?: string;
  /** A clause boundary (punctuation). */
  sep?: boolean;
  /** Set aside as a purpose ("for my shop", "so it looks cozier"): filler that says why, not what. */
  purpose?: boolean;
}

export interface Correction {
  typed: string;
  read: string;
}

const fromEntry = (text: string, e: Entry): Token => ({
  text, concepts: new Set(e.concepts), filler: e.filler,
  ...(e.color ? { color: e.color } : {}), ...(e.colorMod ? { colorMod: e.colorMod } : {}), ...(e.thing ? { thing: e.thing } : {}),
  ...(e.number !== undefined ? { number: e.number } : {}), ...(e.joiner ? { joiner: true } : {}),
});

function mergeEntries(entries: Entry[]): Entry {
  const out: Entry = { concepts: new Set(), filler: false };
  for (const e of entries) merge(out, e);
  return out;
}

/**
 * Maps pieces to tokens with the given languages' lexicons: the longest phrase any of them knows
 * wins, and a word none of them knows is corrected to the one known word within a small edit
 * distance, or left as an unknown token (no concepts, not filler) for the grammar to refuse.
 */
export function matchPieces(pieces: Piece[], langs: CompiledLanguage[], quotes: string[], corrections: Correction[]): Token[] {
  const tokens: Token[] = [];
  // Each word as typed, or the one known word it is a typo of; a typo with several readings keeps
  // them all, and the phrase around it decides ("blak and white" is "black and white", not "blank").
  // A colour of the prompt's language in a form the lexicon does not list ("hellrote", "dunkelblauen")
  // is that colour, never a typo of another word.
  // A typo is read as the nearest words of the fewest letters ("blurr" is "blur"); inside a phrase
  // that none of those make, as any nearest word the phrase needs ("wite" is "wide" alone, "white"
  // in "blak and wite").
  const nearest = pieces.map((p) => (p.kind === 'word' && !known(p.text, langs) && !inflectedOrUnknown(p.text, langs).color ? correct(p.text, langs) : [p.text]));
  const readings = nearest.map(shortest);
  // A real word ("busy", "braco") is read as another only inside a phrase that needs it ("preto e
  // braco" is "preto e branco"), never alone ("too busy" is not "too bus").
  // The nearest words a phrase may take at each piece, found once (correct() scans the vocabulary).
  const common = pieces.map((p) => (p.kind === 'word' && isCommon(p.text, langs) ? correct(p.text, langs) : null));
  const inPhrase = (near: (w: string[]) => string[]) => pieces.map((p, i) => (p.kind === 'word' && common[i] ? [p.text, ...near(common[i])] : near(nearest[i]!)));
  const [phraseShortest, phraseAny] = [inPhrase(shortest), inPhrase((w) => w)];
  const maxWords = Math.max(...langs.map((l) => l.maxPhraseWords));
  for (let i = 0; i < pieces.length;) {
    const p = pieces[i]!;
    if (p.kind === 'cjk') { tokens.push(...matchCjk(p.text, langs)); i++; continue; }
    if (p.kind === 'sep') { tokens.push({ text: p.text, concepts: new Set(), filler: false, sep: true }); i++; continue; }
    if (p.kind === 'quote') { tokens.push({ text: `'${quotes[p.index] ?? ''}'`, concepts: new Set(), filler: false, quote: quotes[p.index] ?? '' }); i++; continue; }
    if (p.kind === 'hex') {
      const rgb = hexColor(p.text);
      tokens.push({ text: p.text, concepts: new Set(), filler: false, color: rgb });
      i++;
      continue;
    }
    if (p.kind === 'dims') { tokens.push({ text: p.text, concepts: new Set(), filler: false, dims: { width: p.width, height: p.height } }); i++; continue; }
    if (p.kind === 'ratio') { tokens.push({ text: p.text, concepts: new Set(), filler: false, ratio: { width: p.width, height: p.height } }); i++; continue; }
    // Words and numbers: the longest phrase known in any of the languages.
    let matched = false;
    for (let len = Math.min(maxWords, pieces.length - i); len >= 1; len--) {
      const slice = pieces.slice(i, i + len);
      if (slice.some((q) => (q.kind !== 'word' && q.kind !== 'num') || (q.kind === 'num' && q.sign))) continue;
      const found = len > 1
        ? lookup(phraseShortest.slice(i, i + len), langs) ?? lookup(phraseAny.slice(i, i + len), langs)
        : lookup(readings.slice(i, i + len), langs);
      if (!found) continue;
      found.words.forEach((w, k) => { if (w !== pieces[i + k]!.text) corrections.push({ typed: pieces[i + k]!.text, read: w }); });
      tokens.push(fromEntry(slice.map((q) => q.text).join(' '), found.entry));
      i += len;
      matched = true;
      break;
    }
    if (matched) continue;
    if (p.kind === 'num') tokens.push({ text: `${p.sign === -1 ? '-' : p.sign === 1 ? '+' : ''}${p.text}`, concepts: new Set(), filler: false, number: p.value, ...(p.sign ? { sign: p.sign } : {}) });
    else tokens.push(inflectedOrUnknown(p.text, langs));
    i++;
  }
  return tokens;
}

/** A word of the lexicon, or a real word that is no typo of one ("busy" is not "bus"). */
const known = (word: string, langs: CompiledLanguage[]) => langs.some((l) => l.vocabulary.has(word)) || isCommon(word, langs);
const isCommon = (word: string, langs: CompiledLanguage[]) => langs.some((l) => l.common.has(word)) && !langs.some((l) => l.vocabulary.has(word));

/**
 * The prompt's own language decides what a form means; the others (English, or the other CJK
 * language) only fill in forms it does not have: "他" is "the rest" in Japanese, "he" in Chinese.
 */
function inPrecedence(entries: Array<Entry | undefined>): Entry[] {
  return entries[0] ? [entries[0]] : entries.filter((e): e is Entry => e !== undefined);
}

/**
 * The entry for a window of words, each with its readings. With several readings, exactly one
 * combination may match (inside a phrase), or every matching one must mean the same.
 */
function lookup(window: string[][], langs: CompiledLanguage[]): { words: string[]; entry: Entry } | null {
  let combos: string[][] = [[]];
  for (const options of window) combos = combos.flatMap((c) => options.map((o) => [...c, o])).slice(0, 32);
  const hits = combos.flatMap((words) => {
    const entries = inPrecedence(langs.map((l) => l.phrases.get(words.join(' '))));
    return entries.length ? [{ words, entry: mergeEntries(entries) }] : [];
  });
  if (hits.length === 0) return null;
  if (hits.length > 1 && new Set(hits.map((h) => meaningOf(h.entry))).size > 1) return null;
  return hits[0]!;
}

function hexColor(text: string): RGB {
  const h = text.slice(1);
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as RGB;
}

/**
 * A word not in the lexicon may be an inflected colour ("rote", "roten") or a colour with a
 * modifier written as one word ("hellblau", "dunkelrot"); otherwise it is unknown.
 */
function inflectedOrUnknown(word: string, langs: CompiledLanguage[]): Token {
  for (const l of langs) {
    for (const ending of ['', ...(l.data.inflections ?? [])]) {
      if (ending && !word.endsWith(ending)) continue;
      const stem = ending ? word.slice(0, -ending.length) : word;
      if (stem.length < 2) continue;
      const direct = l.phrases.get(stem);
      if (ending && direct?.color) return fromEntry(word, direct);
      for (const [mod, forms] of Object.entries(l.data.colorModifiers) as Array<['light' | 'dark', readonly string[]]>) {
        for (const f of forms) {
          if (stem.length > f.length + 1 && stem.startsWith(f)) {
            const rest = l.phrases.get(stem.slice(f.length));
            if (rest?.color) return { ...fromEntry(word, rest), colorMod: mod };
          }
        }
      }
    }
  }
  return { text: word, concepts: new Set(), filler: false };
}

/** Longest match over characters; unmatched characters gather into unknown words. */
function matchCjk(run: string, langs: CompiledLanguage[]): Token[] {
  const chars = [...run];
  const out: Token[] = [];
  let unknown = '';
  const flush = () => {
    if (!unknown) return;
    // Leftover kana of one or two characters are grammar (particles, verb endings), not content.
    const grammar = /^[\p{Script=Hiragana}ー]{1,2}$/u.test(unknown);
    out.push({ text: unknown, concepts: new Set(), filler: grammar });
    unknown = '';
  };
  const maxChars = Math.max(...langs.map((l) => l.maxCjkChars));
  for (let i = 0; i < chars.length;) {
    let hit: { len: number; entry: Entry } | null = null;
    for (let len = Math.min(maxChars, chars.length - i); len >= 1 && !hit; len--) {
      const key = chars.slice(i, i + len).join('');
      const entries = inPrecedence(langs.map((l) => l.cjk.get(key)));
      if (entries.length) hit = { len, entry: mergeEntries(entries) };
    }
    const numeral = cjkNumeral(chars, i);
    if (numeral && (!hit || numeral.len > hit.len)) {
      flush();
      out.push({ text: chars.slice(i, i + numeral.len).join(''), concepts: new Set(), filler: false, number: numeral.value });
      i += numeral.len;
      continue;
    }
    if (hit) {
      flush();
      out.push(fromEntry(chars.slice(i, i + hit.len).join(''), hit.entry));
      i += hit.len;
      continue;
    }
    unknown += chars[i];
    i++;
  }
  flush();
  return out;
}

const CJK_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 兩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CJK_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** A number written in Chinese or Japanese numerals ("九十", "一百八十", "两"). */
function cjkNumeral(chars: string[], start: number): { len: number; value: number } | null {
  // Arabic digits written inside CJK text.
  const digits = /^\d+(?:[.,]\d+)?/.exec(chars.slice(start, start + 12).join(''));
  if (digits) return { len: digits[0].length, value: Number(digits[0].replace(',', '.')) };
  let i = start;
  let total = 0;
  let digit: number | null = null;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c in CJK_DIGITS) { digit = CJK_DIGITS[c]!; i++; continue; }
    if (c in CJK_UNITS) { total += (digit ?? 1) * CJK_UNITS[c]!; digit = null; i++; continue; }
    break;
  }
  if (i === start) return null;
  return { len: i - start, value: total + (digit ?? 0) };
}

/**
 * Damerau-Levenshtein distance with a cut-off: enough to tell one typo from two, cheap because it
 * stops as soon as a row exceeds the limit.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > limit) return limit + 1;
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

const meaningOf = (e: Entry) =>
  [...e.concepts].sort().join(',') + (e.color ? `|c${e.color.join('.')}` : '') + (e.thing ? `|t${e.thing.name}` : '') + (e.filler ? '|f' : '') +
  (e.number !== undefined ? `|n${e.number}` : '') + (e.colorMod ? `|m${e.colorMod}` : '');

/**
 * The known words a typo may stand for, all at the smallest distance: one edit for words of four to
 * seven letters, two from eight. Short words are never corrected (too many neighbours), nor into
 * (a real four-letter word is as likely as a typo of a three-letter one: "busy" is not "bus", "note"
 * not "not"), nor is the first letter, which people rarely mistype. The word itself when nothing is near.
 */
function correct(word: string, langs: CompiledLanguage[]): string[] {
  if (word.length < 4 || !/^\p{L}+$/u.test(word)) return [word];
  const limit = word.length >= 8 ? 2 : 1;
  let best = limit + 1;
  let candidates: Array<{ word: string; entry: Entry }> = [];
  for (const l of langs) {
    for (const [w, entry] of l.vocabulary) {
      if (w[0] !== word[0] || w.length < 4) continue;
      const d = editDistance(word, w, Math.min(limit, best));
      if (d < best) { best = d; candidates = [{ word: w, entry }]; }
      else if (d === best && d <= limit) candidates.push({ word: w, entry });
    }
  }
  if (candidates.length === 0) return [word];
  return [...new Set(candidates.map((c) => c.word))];
}

/** Between equally near words, the shorter ones: "blurr" is "blur" with a key pressed twice. */
function shortest(words: string[]): string[] {
  const least = Math.min(...words.map((w) => w.length));
  return words.filter((w) => w.length === least);
}
