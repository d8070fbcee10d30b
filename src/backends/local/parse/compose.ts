import { type RGB, shade } from './colors.ts';
import type { Concept } from './lexicon/types.ts';
import type { Token } from './match.ts';

/**
 * Joins tokens that mean one thing together: number words into a number ("two hundred seventy"),
 * a number and its unit ("90 degrees", "20px", "50 %", "180度"), a colour and its modifier ("light
 * blue", "azul claro", "深蓝"). Runs after lexicon matching, before clauses are split.
 */
export function compose(tokens: Token[]): Token[] {
  return turnInto(tooColours(negateDirections(mergeColorModifiers(joinDimensions(markYears(attachUnits(composeNumbers(tokens))))))));
}

/** Looks a photo is turned into; a turn right before one is no rotation. */
const LOOKS = new Set<Concept>(['grayscale', 'sepia']);

/**
 * "转黑白" (turn black and white): a word that is only "rotate" right before a look is the verb of
 * change ("转成黑白", "turn it black and white"), since nothing is rotated into black and white.
 * Before anything else ("转横屏", "转90度") it stays a rotation.
 */
function turnInto(tokens: Token[]): Token[] {
  return tokens.map((t, i) => {
    const next = tokens[i + 1];
    const bare = t.concepts.size === 1 && t.concepts.has('rotate') && !t.color && t.number === undefined;
    return bare && next && [...next.concepts].some((c) => LOOKS.has(c)) ? { ...t, concepts: new Set<Concept>(['change']) } : t;
  });
}

/**
 * "Está demasiado amarilla", "way too yellow", "太蓝了", "beaucoup trop jaune": a warm or cool colour
 * said to be too much is a colour cast, the problem "too yellow" or "too blue" names (which the
 * lexicons list as phrases where the words stand side by side). Only a "too" that is nothing else:
 * not "zu" (also "to": "zu blau ändern"), not "not enough" (too little). Yellow and orange are warm,
 * blue cool; another colour ("too red", "too green") is no warmth, and is left as it is.
 */
function tooColours(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const onlyToo = t.concepts.has('too') && !t.color && [...t.concepts].every((c) => c === 'too' || c === 'very' || c === 'everything');
    if (onlyToo) {
      // "Too much yellow", "trop de jaune": "much" and "of" may stand between.
      let j = i + 1;
      while (tokens[j] && !tokens[j]!.color && tokens[j]!.concepts.size > 0 && [...tokens[j]!.concepts].every((c) => c === 'very' || c === 'of' || c === 'from' || c === 'by')) j++;
      const c = tokens[j];
      const warmth = c?.color && !c.thing ? castOf(c.color) : null;
      if (c && warmth) {
        out.push({ text: tokens.slice(i, j + 1).map((x) => x.text).join(' ').replace(/(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]) (?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu, ''), concepts: new Set<Concept>([warmth, 'complaint', 'too']), filler: false });
        i = j;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

/** Warm for a yellow or orange, cool for a blue, by hue (as a cast removed is read in tone.ts); null for any other colour. */
function castOf([r, g, b]: RGB): 'warm' | 'cool' | null {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (max === 0 || d / max < 0.3) return null;
  const h = (((max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4) * 60) + 360) % 360;
  return h >= 20 && h <= 70 ? 'warm' : h >= 180 && h <= 250 ? 'cool' : null;
}

/** Directions that have one opposite: a negated one is that opposite. */
const OPPOSITES: Array<[Concept, Concept]> = [['clockwise', 'counterclockwise'], ['horizontal', 'vertical']];

/**
 * "Rotate it 90 degrees but not clockwise", "nicht im Uhrzeigersinn", "不是顺时针": a negated
 * direction is the other one (a rotation turns one of two ways, a flip is about one of two axes),
 * never the direction itself with the negation left aside.
 */
function negateDirections(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.concepts.has('not') || t.concepts.has('except')) {
      // "不是顺时针": "is" may stand between.
      let j = i + 1;
      while (tokens[j] && (tokens[j]!.concepts.has('copula') || (tokens[j]!.filler && tokens[j]!.concepts.size === 0))) j++;
      const d = tokens[j];
      const pair = d && OPPOSITES.find((p) => p.some((c) => d.concepts.has(c)) && !p.every((c) => d.concepts.has(c)));
      if (d && pair) {
        const other = d.concepts.has(pair[0]) ? pair[1] : pair[0];
        out.push({ text: tokens.slice(i, j + 1).map((x) => x.text).join(' ').replace(/(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]) (?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu, ''), concepts: new Set<Concept>([other]), filler: false });
        i = j;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

/** "Sixteen by nine", "1920 by 1080" written with words: two plain numbers joined by "by" are a size or ratio. */
function joinDimensions(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const [a, by, b] = [tokens[i]!, tokens[i + 1], tokens[i + 2]];
    if (a.number !== undefined && !a.unit && by?.concepts.has('by') && b?.number !== undefined && !b.unit && a.number > 0 && b.number > 0) {
      out.push({ text: `${a.text} ${by.text} ${b.text}`, concepts: new Set(), filler: false, dims: { width: a.number, height: b.number } });
      i += 2;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** "A photo from 1900": a year after "from"/"of"/"in" describes the look; it is not an amount. */
function markYears(tokens: Token[]): Token[] {
  return tokens.map((t, i) => {
    const before = tokens.slice(0, i).reverse().find((x) => !x.filler);
    const year = t.number !== undefined && !t.unit && Number.isInteger(t.number) && t.number >= 1800 && t.number <= 2099;
    return year && (before?.concepts.has('from') || before?.concepts.has('of')) ? { ...t, filler: true } : t;
  });
}

const isWordNumber = (t: Token) => t.number !== undefined && !/^\d/.test(t.text) && t.concepts.size === 0 && !t.unit;

function composeNumbers(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isWordNumber(t)) { out.push(t); continue; }
    let value = t.number!;
    let text = t.text;
    let j = i + 1;
    for (;;) {
      const joiner = tokens[j]?.joiner && tokens[j + 1] && isWordNumber(tokens[j + 1]!);
      const next = joiner ? tokens[j + 1] : tokens[j];
      if (!next || !isWordNumber(next)) break;
      const v = next.number!;
      if (v === 100 || v === 1000) value = (value || 1) * v;
      else if (value >= 100 && v < 100 && value % 100 === 0) value += v;
      else if (value >= 20 && value % 10 === 0 && v < 10) value += v;
      else break;
      text += ` ${joiner ? `${tokens[j]!.text} ` : ''}${next.text}`;
      j += joiner ? 2 : 1;
    }
    out.push({ ...t, number: value, text });
    i = j - 1;
  }
  return out;
}

const UNITS = [['degree', 'deg'], ['pixel', 'px'], ['percent', 'pct'], ['times', 'x']] as const;
const unitOf = (t: Token | undefined) => (t && t.number === undefined ? UNITS.find(([c]) => t.concepts.has(c))?.[1] : undefined);

function attachUnits(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.number !== undefined && !t.unit) {
      const after = unitOf(tokens[i + 1]);
      if (after) { out.push({ ...t, unit: after, text: `${t.text} ${tokens[i + 1]!.text}` }); i++; continue; }
      // "x2": the unit before the number.
      const before = out.at(-1);
      if (before && unitOf(before) === 'x' && before.text === 'x') { out.pop(); out.push({ ...t, unit: 'x', text: `x${t.text}` }); continue; }
    }
    out.push(t);
  }
  return out;
}

const modify = (c: RGB, mod: 'light' | 'dark') => shade(c, mod);

function mergeColorModifiers(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.colorMod && !t.color && next?.color && !next.colorMod) {
      out.push({ ...next, color: modify(next.color, t.colorMod), text: `${t.text} ${next.text}`, concepts: new Set() });
      i++;
      continue;
    }
    if (t.color && next?.colorMod && !next.color && !tokens[i + 2]?.color) {
      out.push({ ...t, color: modify(t.color, next.colorMod), text: `${t.text} ${next.text}`, concepts: new Set() });
      i++;
      continue;
    }
    // A colour written with its modifier in one word ("hellblau") arrives with both set.
    if (t.color && t.colorMod) {
      const { colorMod, ...rest } = t;
      out.push({ ...rest, color: modify(t.color, colorMod) });
      continue;
    }
    out.push(t);
  }
  return out;
}
