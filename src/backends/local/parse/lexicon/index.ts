import type { Piece } from '../tokenize.ts';
import { type CompiledLanguage, compileLanguage } from './compile.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { ja } from './ja.ts';
import { pt } from './pt.ts';
import { zh } from './zh.ts';

/** Every language the local engine reads. Adding one is adding its data file here. */
export const LANGUAGES: CompiledLanguage[] = [en, zh, ja, es, de, fr, pt].map(compileLanguage);

const byCode = new Map(LANGUAGES.map((l) => [l.data.code, l]));
export const ENGLISH = byCode.get('en')!;
const LATIN = LANGUAGES.filter((l) => l.cjk.size === 0 || l.data.code === 'en');

/**
 * The language a prompt is written in: Japanese when it has kana, Chinese when it has Han
 * characters only; otherwise the Latin-script language whose lexicon knows most of its words
 * (a word several languages share counts for each in part), English on a tie.
 */
export function detectLanguage(pieces: Piece[]): CompiledLanguage {
  const cjk = pieces.filter((p) => p.kind === 'cjk').map((p) => p.text).join('');
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(cjk)) return byCode.get('ja')!;
  if (/\p{Script=Han}/u.test(cjk)) return byCode.get('zh')!;
  const scores = new Map<CompiledLanguage, number>();
  for (const p of pieces) {
    if (p.kind !== 'word') continue;
    const knowing = LATIN.filter((l) => l.vocabulary.has(p.text));
    for (const l of knowing) scores.set(l, (scores.get(l) ?? 0) + 1 / knowing.length);
  }
  let best = ENGLISH;
  for (const l of LATIN) if ((scores.get(l) ?? 0) > (scores.get(best) ?? 0) + 1e-9) best = l;
  return best;
}

/**
 * The lexicons a prompt is read with: its language's and English (people mix in English words,
 * and every language shares the CSS colour names); Chinese and Japanese share their Han words.
 */
export function lexiconsFor(lang: CompiledLanguage): CompiledLanguage[] {
  if (lang.data.code === 'ja') return [lang, byCode.get('zh')!, ENGLISH];
  if (lang.data.code === 'zh') return [lang, byCode.get('ja')!, ENGLISH];
  return lang === ENGLISH ? [ENGLISH] : [lang, ENGLISH];
}
