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
export const LANGUAGE_DATA = [en, zh, ja, es, de, fr, pt];

/**
 * The compiled lexicons, built on the first prompt rather than at import: a few hundred
 * milliseconds that a server's start-up (and every CLI command that never parses) should not pay.
 */
let compiled: { all: CompiledLanguage[]; byCode: Map<string, CompiledLanguage>; latin: CompiledLanguage[] } | undefined;
function lexicons() {
  if (!compiled) {
    const all = LANGUAGE_DATA.map(compileLanguage);
    compiled = { all, byCode: new Map(all.map((l) => [l.data.code, l])), latin: all.filter((l) => l.cjk.size === 0 || l.data.code === 'en') };
  }
  return compiled;
}

/** The English lexicon, which every prompt is also read with. */
export const english = () => lexicons().byCode.get('en')!;

/**
 * The language a prompt is written in: Japanese when it has kana, Chinese when it has Han
 * characters only; otherwise the Latin-script language whose lexicon knows most of its words
 * (a word several languages share counts for each in part), English on a tie.
 */
export function detectLanguage(pieces: Piece[]): CompiledLanguage {
  return detectLanguages(pieces)[0]!;
}

/**
 * Every language that scores as well as the best, the preferred first: a short prompt may be as
 * much one language as another ("mais contraste" is French "but contrast" and Portuguese "more
 * contrast"), and only reading it tells which. Among those, the one with more words of its own
 * comes first.
 */
export function detectLanguages(pieces: Piece[]): CompiledLanguage[] {
  const tied = tiedLanguages(pieces);
  return tied.map((l, i) => ({ l, i, own: ownWords(pieces, l) })).sort((a, b) => b.own - a.own || a.i - b.i).map((x) => x.l);
}

/** How many of the prompt's words the language knows and no other Latin-script language does. */
export function ownWords(pieces: Piece[], lang: CompiledLanguage): number {
  const { latin } = lexicons();
  return pieces.filter((p) => p.kind === 'word' && lang.vocabulary.has(p.text) && latin.every((l) => l === lang || !l.vocabulary.has(p.text))).length;
}

function tiedLanguages(pieces: Piece[]): CompiledLanguage[] {
  const cjk = pieces.filter((p) => p.kind === 'cjk').map((p) => p.text).join('');
  const { byCode, latin } = lexicons();
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(cjk)) return [byCode.get('ja')!];
  if (/\p{Script=Han}/u.test(cjk)) return [byCode.get('zh')!];
  const scores = new Map<CompiledLanguage, number>();
  for (const p of pieces) {
    if (p.kind !== 'word') continue;
    const knowing = latin.filter((l) => l.vocabulary.has(p.text));
    for (const l of knowing) scores.set(l, (scores.get(l) ?? 0) + 1 / knowing.length);
  }
  let best = english();
  for (const l of latin) if ((scores.get(l) ?? 0) > (scores.get(best) ?? 0) + 1e-9) best = l;
  const top = scores.get(best) ?? 0;
  return [best, ...latin.filter((l) => l !== best && top > 0 && Math.abs((scores.get(l) ?? 0) - top) <= 1e-9)];
}

/**
 * The lexicons a prompt is read with: its language's and English (people mix in English words,
 * and every language shares the CSS colour names); Chinese and Japanese share their Han words.
 */
export function lexiconsFor(lang: CompiledLanguage): CompiledLanguage[] {
  const { byCode } = lexicons();
  const en = english();
  if (lang.data.code === 'ja') return [lang, byCode.get('zh')!, en];
  if (lang.data.code === 'zh') return [lang, byCode.get('ja')!, en];
  return lang === en ? [en] : [lang, en];
}

/**
 * Whether a prompt seems written in a language no lexicon reads ("rendi l'immagine in bianco e
 * nero", "흑백으로 만들어줘", "удали фон"): Korean letters without Chinese or Japanese ones, or, in
 * words of three letters or more (shorter ones are shared by too many languages to tell), at least
 * two and most of them known to no language, not even as common words, and not one of the function
 * words every prompt in a language the engine reads has ("its crooked, straighten it"). Asked only
 * of a prompt no language could read, to say why instead of naming its words one by one.
 */
export function unreadLanguage(pieces: Piece[]): boolean {
  const cjk = pieces.filter((p) => p.kind === 'cjk').map((p) => p.text).join('');
  if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(cjk)) return false;
  if (/\p{Script=Hangul}/u.test(cjk)) return true;
  const { all } = lexicons();
  const words = pieces.filter((p) => p.kind === 'word' && /\p{L}{3}/u.test(p.text)).map((p) => p.text);
  if (words.some((w) => all.some((l) => l.vocabulary.get(w)?.filler))) return false;
  const unknown = words.filter((w) => !all.some((l) => l.vocabulary.has(w) || l.common.has(w)));
  return unknown.length >= 2 && unknown.length > words.length / 2;
}
