import { parseColor, type RGB } from '../colors.ts';
import { fold } from '../normalize.ts';
import { phraseKey } from '../tokenize.ts';
import type { Concept, LanguageData } from './types.ts';

/** part: of a subject; object: a photo's whole subject; scene: around it; being: a person or animal. */
export type ThingKind = 'part' | 'object' | 'scene' | 'being';

/** What one surface form means: concepts (a word may have several), or a colour, a thing, a number. */
export interface Entry {
  concepts: Set<Concept>;
  filler: boolean;
  color?: RGB;
  colorMod?: 'light' | 'dark';
  thing?: { kind: ThingKind; name: string };
  number?: number;
  joiner?: boolean;
}

/** A language's data made searchable: phrases by their words, CJK forms by their characters. */
export interface CompiledLanguage {
  data: LanguageData;
  /** Latin-script phrases, keyed by their words joined with one space. */
  phrases: Map<string, Entry>;
  maxPhraseWords: number;
  /** Forms in CJK scripts, matched character by character (these languages write no spaces). */
  cjk: Map<string, Entry>;
  maxCjkChars: number;
  /** Every single word of the language's forms, for typo correction and language detection. */
  vocabulary: Map<string, Entry>;
  /** Real words without a meaning here, never corrected into one (LanguageData.commonWords). */
  common: Set<string>;
}

const newEntry = (): Entry => ({ concepts: new Set(), filler: false });

/** Adds what `from` means to `into`: concepts join, the first colour, thing or number stays. */
export function merge(into: Entry, from: Partial<Entry>) {
  for (const c of from.concepts ?? []) into.concepts.add(c);
  into.filler ||= from.filler ?? false;
  into.joiner ||= from.joiner ?? false;
  if (from.color && !into.color) into.color = from.color;
  if (from.colorMod && !into.colorMod) into.colorMod = from.colorMod;
  if (from.thing && !into.thing) into.thing = from.thing;
  if (from.number !== undefined && into.number === undefined) into.number = from.number;
}

/** Builds the lookup tables of one language. Throws on a colour that does not resolve: data bugs fail at start-up. */
export function compileLanguage(data: LanguageData): CompiledLanguage {
  const lang: CompiledLanguage = { data, phrases: new Map(), maxPhraseWords: 1, cjk: new Map(), maxCjkChars: 1, vocabulary: new Map(), common: new Set((data.commonWords ?? []).map((w) => fold(w).trim())) };
  const add = (surface: string, meaning: Partial<Entry>) => {
    const folded = fold(surface).trim();
    if (!folded) return;
    const words = phraseKey(folded);
    if (words === null) {
      // A CJK form (possibly with Latin letters in it): matched over characters, spaces dropped.
      const key = folded.replace(/\s+/g, '');
      const e = lang.cjk.get(key) ?? newEntry();
      merge(e, meaning);
      lang.cjk.set(key, e);
      lang.maxCjkChars = Math.max(lang.maxCjkChars, [...key].length);
      return;
    }
    if (words.length === 0) return;
    const key = words.join(' ');
    const e = lang.phrases.get(key) ?? newEntry();
    merge(e, meaning);
    lang.phrases.set(key, e);
    lang.maxPhraseWords = Math.max(lang.maxPhraseWords, words.length);
    for (const w of words) if (!lang.vocabulary.has(w)) lang.vocabulary.set(w, newEntry());
    if (words.length === 1) merge(lang.vocabulary.get(key)!, meaning);
  };
  for (const [concept, surfaces] of Object.entries(data.concepts) as Array<[Concept, readonly string[]]>) {
    for (const s of surfaces) add(s, { concepts: new Set([concept]) });
  }
  for (const [kind, table] of Object.entries(data.things) as Array<[ThingKind, Record<string, string>]>) {
    for (const [s, name] of Object.entries(table)) add(s, { thing: { kind, name } });
  }
  const colors = Object.entries(data.colors).map(([s, value]) => {
    const rgb = parseColor(value);
    if (!rgb) throw new Error(`lexicon ${data.code}: colour "${s}" maps to "${value}", which is not a CSS colour name or #hex`);
    add(s, { color: rgb });
    return [fold(s).trim(), rgb] as const;
  });
  for (const s of data.colorModifiers.light) add(s, { colorMod: 'light' });
  for (const s of data.colorModifiers.dark) add(s, { colorMod: 'dark' });
  for (const [s, value] of Object.entries(data.numbers)) add(s, { number: value });
  for (const s of data.numberJoiners ?? []) add(s, { joiner: true });
  for (const s of data.filler) add(s, { filler: true });
  // "Rote", "blauen", "bleues", "amarillas": a colour adjective with the language's endings is that
  // colour, a word of the lexicon, so never read as a typo of another colour ("rote" is not "rose").
  // A form the language already has keeps its own meaning; an ending that would double the last
  // letter ("gris" + "s") makes no word.
  const forms = new Set(lang.phrases.keys());
  for (const [s, rgb] of colors) {
    if (s.includes(' ')) continue;
    for (const ending of data.inflections ?? []) if (!forms.has(s + ending) && ending[0] !== s.at(-1)) add(s + ending, { color: rgb });
  }
  return lang;
}
