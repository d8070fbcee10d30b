/**
 * The first step of reading a prompt: quoted text is taken out verbatim (it is what an overlay
 * writes, case and all), then the rest is put in one form so that the lexicon matches it whatever
 * the keyboard: Unicode NFKC (full-width letters and digits become ASCII), lower case, Latin accents
 * folded ("más" → "mas", "schwarzweiß" → "schwarzweiss"), emoji removed, and CJK punctuation mapped
 * to the ASCII separators the tokenizer splits on.
 */

/** Marks a quote's place in the normalised text; the tokenizer turns it back into a quote token. */
export const QUOTE_MARK = '\u0001';

// Quotation marks. Keyboards and autocorrect pair them loosely ("„SALE\"", "“SALE\"", "«SALE\"", "“SALE’"),
// so any opening mark (the corner brackets of Chinese and Japanese among them) with any closing one
// is a quotation. An apostrophe is not a quote: a single mark opens only after a non-letter, closes
// only before one, and between two letters ("it's", "l'image", "don’t") is part of the text.
const DOUBLE = '"“”„‟«»‹›「」『』〝〞〟';
const SINGLE = "'‘’‚‛";
const QUOTES = new RegExp(
  `(?:[${DOUBLE}]|(?<![\\p{L}\\p{N}])[${SINGLE}])((?:[^${DOUBLE}${SINGLE}]|(?<=\\p{L})[${SINGLE}](?=\\p{L}))+)(?:[${DOUBLE}]|[${SINGLE}](?!\\p{L}))`,
  'gu',
);

const CJK_PUNCTUATION: Record<string, string> = {
  '。': '.', '、': ',', '，': ',', '；': ';', '：': ':', '！': '!', '？': '?', '～': '~', '…': '.', '・': ' ', '〜': '~', '　': ' ',
};

export interface Normalized {
  text: string;
  quotes: string[];
}

/** Folds one surface form of the lexicon exactly as prompts are folded, so both meet in one form. */
export function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    // Portuguese "é" (is) would fold into "e" (and) and split a sentence in two: it keeps a form of its own.
    .replace(/(?<![\p{L}])é(?![\p{L}])/gu, 'eh')
    .replace(/[’`´]/g, "'")
    .replace(/ß/g, 'ss')
    // Strip accents from Latin letters only: kana with dakuten must keep theirs.
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/[。、，；：！？～…・〜　]/g, (c) => CJK_PUNCTUATION[c] ?? ' ')
    .replace(/\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}\u{FE0F}\u{200D}]/gu, ' ');
}

/**
 * Faces made of punctuation ("m(_ _)m", "(^^)", "(>_<)"): like emoji, they say nothing of the edit,
 * but their letters would be read as words. Only brackets around symbols, never around a letter or digit.
 */
const KAOMOJI = /m\(\s*_+\s*_+\s*\)m|\((?:[^\p{L}\p{N}()]){1,10}\)/gu;

/** Takes the quotes out of a prompt and folds the rest. */
export function normalize(prompt: string): Normalized {
  const quotes: string[] = [];
  // "90º": Spanish and Portuguese keyboards type the ordinal indicator for degrees; NFKC would make it an "o".
  const text = prompt.replace(/(\d)\s*º/g, '$1°').normalize('NFKC').replace(QUOTES, (...m: unknown[]) => {
    const inner = (m[1] as string | undefined) ?? '';
    // « SALE »: French sets its guillemets apart with spaces, which are no part of the text.
    quotes.push(inner.trim());
    return ` ${QUOTE_MARK}${quotes.length - 1}${QUOTE_MARK} `;
  });
  return { text: fold(text.replace(KAOMOJI, ' ')), quotes };
}
