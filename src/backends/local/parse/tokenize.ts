import { QUOTE_MARK } from './normalize.ts';

/**
 * A piece of normalised text, before the lexicon is consulted. Latin-script text splits into words,
 * numbers and symbols; text in CJK scripts, which has no spaces, stays one run for the lexicon to
 * match character by character.
 */
export type Piece =
  | { kind: 'word'; text: string }
  /** A number; `sign` when it was written with one ("-90", "+20%"), which frames that read directions use. */
  | { kind: 'num'; text: string; value: number; sign?: 1 | -1 }
  | { kind: 'dims'; text: string; width: number; height: number }
  | { kind: 'ratio'; text: string; width: number; height: number }
  | { kind: 'hex'; text: string }
  | { kind: 'quote'; text: string; index: number }
  | { kind: 'cjk'; text: string }
  | { kind: 'sep'; text: string };

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー々〆`;
const PIECE = new RegExp(
  [
    String.raw`(?<quote>${QUOTE_MARK}(\d+)${QUOTE_MARK})`,
    String.raw`(?<hex>#(?:[0-9a-f]{6}|[0-9a-f]{3})(?![0-9a-z]))`,
    // Not before more digits or a decimal part; a full stop after it ends the sentence ("resize to 800x600.").
    String.raw`(?<dims>\d{1,5}\s*(?:[x×*]|\s(?:by|por|mal|par|per)\s)\s*\d{1,5})(?!\d|[.,]\d)`,
    String.raw`(?<ratio>\d{1,2}\s*[:/]\s*\d{1,2})(?![\d])`,
    // A CJK run takes the digits written into it ("旋转90度", "2枚目"), but not a size or ratio after it.
    String.raw`(?<cjk>(?:\d+(?:[.,]\d+)?(?=[${CJK}]))?[${CJK}]+(?:\d+(?:[.,]\d+)?[${CJK}]+)*(?:\d+(?:[.,]\d+)?(?![\d.,]*\s*[x×*:/]\s*\d))?)`,
    // "The 1900s", "80s": a decade describes a look, it is not a quantity.
    String.raw`(?<decade>\d{2,4}s)(?![\p{L}\d])`,
    // A sign right before the digits, not after a Latin word or a number ("rotate -90", "旋转-90度", "+20%"; "16-9" is two numbers).
    String.raw`(?<num>(?<![\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}])[-+\u2212](?=\d)\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)`,
    String.raw`(?<word>(?:(?![${CJK}])[\p{L}\p{M}])(?:(?![${CJK}])[\p{L}\p{M}]|'(?=[\p{L}]))*)`,
    String.raw`(?<sym>[%°&+×#])`,
    String.raw`(?<sep>[.;:!?\n~]|,(?!\d))`,
  ].join('|'),
  'gu',
);

// French and Italian elisions: "l'image" reads as "l'" + "image".
const ELISION = /^(l|d|j|m|n|s|t|c|qu|quelqu|jusqu|lorsqu|puisqu)'(.+)$/;

/** Splits normalised text into pieces. */
export function tokenize(text: string): Piece[] {
  const pieces: Piece[] = [];
  for (const m of text.matchAll(PIECE)) {
    const g = m.groups!;
    if (g.quote) pieces.push({ kind: 'quote', text: g.quote, index: Number(m[2]) });
    else if (g.hex) pieces.push({ kind: 'hex', text: g.hex });
    else if (g.dims) {
      const [w, h] = g.dims.split(/\s*(?:[x×*]|\s(?:by|por|mal|par|per)\s)\s*/).map(Number) as [number, number];
      pieces.push({ kind: 'dims', text: g.dims, width: w, height: h });
    } else if (g.ratio) {
      const [w, h] = g.ratio.split(/\s*[:/]\s*/).map(Number) as [number, number];
      pieces.push({ kind: 'ratio', text: g.ratio, width: w, height: h });
    } else if (g.num) {
      const signed = /^[-+\u2212]/.test(g.num);
      const digits = signed ? g.num.slice(1) : g.num;
      pieces.push({ kind: 'num', text: digits, value: Number(digits.replace(',', '.')), ...(signed ? { sign: g.num[0] === '+' ? 1 as const : -1 as const } : {}) });
    }
    else if (g.cjk) pieces.push({ kind: 'cjk', text: g.cjk });
    else if (g.decade) pieces.push({ kind: 'word', text: 'decade' });
    else if (g.word) pieces.push(...splitWord(g.word));
    else if (g.sym) pieces.push({ kind: 'word', text: g.sym });
    else if (g.sep) pieces.push({ kind: 'sep', text: g.sep });
  }
  return pieces;
}

function splitWord(word: string): Piece[] {
  const elided = ELISION.exec(word);
  if (elided) return [{ kind: 'word', text: `${elided[1]}'` }, ...splitWord(elided[2]!)];
  // A possessive reads as the noun and "'s": "the dog's collar".
  if (word.length > 3 && word.endsWith("'s")) return [{ kind: 'word', text: word.slice(0, -2) }, { kind: 'word', text: "'s" }];
  return [{ kind: 'word', text: word }];
}

/** The words of a surface form as the tokenizer splits prompts, for building phrase keys. */
export function phraseKey(surface: string): string[] | null {
  // An elided article on its own ("l'", "d'", "c'") is the piece the tokenizer splits off "l'image".
  if (/^\p{L}+'$/u.test(surface) || /^'\p{L}+$/u.test(surface)) return [surface];
  const pieces = tokenize(surface);
  if (pieces.some((p) => p.kind === 'cjk')) return null;
  return pieces.map((p) => p.text);
}
