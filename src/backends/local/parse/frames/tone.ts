import { amountOf, directionOf, type Frame, numberWith, signOf } from './frame.ts';

/** Black and white: named, or "remove the colour". */
export const grayscale: Frame = {
  name: 'grayscale', triggers: ['grayscale'], example: 'grayscale',
  read(c) {
    // "It's black and white": a complaint only colourising (generative) would answer.
    if (c.problem && !c.has('keep', 'same')) return null;
    const named = c.take('grayscale');
    // "Desaturate it a little" is less saturation, not black and white.
    if (named?.concepts.has('muted') && c.has('slightly', 'less') ) return null;
    if (named) { c.takeAll('color'); return { op: 'grayscale' }; }
    if (c.has('remove') && c.has('color') && c.colors().length === 0) { c.take('remove'); c.takeAll('color'); return { op: 'grayscale' }; }
    return null;
  },
};

export const sepia: Frame = {
  name: 'sepia', triggers: ['sepia'], example: 'sepia',
  // "La foto está amarillenta", "photo jaunie": yellowed is a complaint, and sepia would not fix it.
  read: (c) => (c.find((t) => t.concepts.has('sepia') && t.concepts.has('complaint')).length && c.problem ? null :
    c.take('sepia') ? (c.takeAll('color'), { op: 'sepia' }) : null),
};

export const invert: Frame = {
  name: 'invert', triggers: ['invert'], example: 'invert',
  read: (c) => (c.take('invert') ? (c.takeAll('color'), { op: 'invert' }) : null),
};

type Clause = import('../clause.ts').Clause;
type Up = 'bright' | 'vivid' | 'warm' | 'contrast-up';
type Down = 'dark' | 'muted' | 'cool' | 'contrast-down';
type Noun = 'brightness' | 'saturation' | 'contrast' | 'temperature';

/** A tone's direction (see tonedBy), for frames that do not ask where it came from. */
const toned = (c: Clause, up: Up, down: Down, noun: Noun): number => tonedBy(c, up, down, noun).sign;

/**
 * A tone with a direction: an adjective that carries it ("brighter", "darker") or a noun that takes
 * one ("more brightness", "lower the brightness"). A problem ("it's too dark") asks for the opposite.
 * `byProblem`: the direction is the opposite of a described problem, not a fix the clause names
 * ("too dark" says how the photo is; "too dark, make it brighter" and "lower it" say what to do).
 */
function tonedBy(c: Clause, up: Up, down: Down, noun: Noun): { sign: number; byProblem: boolean } {
  const fix = (sign: number) => ({ sign, byProblem: false });
  const said = (sign: number) => ({ sign, byProblem: c.problem });
  let sign = 0;
  // "明るすぎるので暗くして", "too bright, darker": the problem and its fix in one clause; the fix wins.
  // The problem is the word beside "too" ("brighten it its too dark"), else the first one said.
  if (c.problem && c.has(up) && c.has(down)) {
    const [u, d, t] = [c.indexOf(up), c.indexOf(down), c.indexOf('too')];
    const fixed = t >= 0 && u !== t && d !== t ? (Math.abs(d - t) < Math.abs(u - t) ? 1 : -1) : d > u ? -1 : 1;
    c.take(up); c.take(down); c.take('too'); c.takeAll('more', 'less');
    return fix(fixed);
  }
  if (c.take(up)) sign = 1;
  else if (c.take(down)) sign = -1;
  else if (noun && c.take(noun)) sign = 0;
  else return fix(0);
  // "不够鲜艳" (not vivid enough): one word says both "too" and "less"; the problem is too little of it.
  const dirHit = c.find((t) => t.concepts.has('more') || t.concepts.has('add') || t.concepts.has('less'))[0];
  const tooHit = c.find((t) => t.concepts.has('too'))[0];
  if (sign !== 0 && dirHit && tooHit && dirHit.index === tooHit.index) { c.use(dirHit.index); return said(sign); }
  // "Lower the colour temperature, cooler": the direction belongs to the temperature, the adjective says which way.
  const aboutNoun = noun === 'temperature' && c.has('temperature');
  const dir = directionOf(c);
  // "Brightness +20%", "contrast -15%", "warmth -10%": a signed percentage says which way.
  const signed = signOf(c, ['pct']);
  if (signed !== 0 && dir === 0 && !c.problem) return fix(sign === 0 ? signed : sign * signed);
  // "Too much contrast": there is too much of it. "Con mucho contraste", "with lots of contrast": more of it.
  if (sign === 0) sign = dir || (c.problem && c.has('too') ? 1 : 0) || (!c.problem && noun !== 'temperature' && c.has('very') ? 1 : 0);
  // "The contrast is too harsh, lower it": beside a problem, the direction word is the fix.
  else if (c.problem && dir !== 0) { c.take('too'); return fix(dir); }
  else if (dir < 0 && !aboutNoun) sign = -sign; // "less bright"
  if (c.problem) { c.take('too'); sign = -sign; }
  return said(sign);
}

export const brightness: Frame = {
  name: 'brightness', triggers: ['bright', 'dark', 'brightness'], example: 'brightness',
  read(c) {
    const { sign, byProblem } = tonedBy(c, 'bright', 'dark', 'brightness');
    if (!sign) return null;
    c.take('brightness');
    c.takeAll('color');
    const percent = c.find((t) => t.number !== undefined && t.unit === 'pct').length > 0;
    const amount = amountOf(c, 0.2, true);
    const factor = sign > 0 ? 1 + amount : Math.max(0.05, 1 - amount);
    // "This photo is way too dark": a fixed 20% would leave a badly underexposed photo dark. A
    // problem with no percentage is corrected from the image itself ("way", "a bit" say how the
    // photo looks, not by how much to change it); an instruction keeps its fixed amount.
    return byProblem && !percent ? { op: 'brightness', factor, auto: true } : { op: 'brightness', factor };
  },
};

export const contrast: Frame = {
  name: 'contrast', triggers: ['contrast', 'contrast-up', 'contrast-down'], example: 'contrast',
  read(c) {
    const { sign, byProblem } = tonedBy(c, 'contrast-up', 'contrast-down', 'contrast');
    if (!sign) return null;
    c.take('contrast');
    c.takeAll('color');
    const percent = c.find((t) => t.number !== undefined && t.unit === 'pct').length > 0;
    const amount = amountOf(c, 0.25, true);
    const factor = sign > 0 ? 1 + amount : Math.max(0.05, 1 - amount);
    // "The photo looks kinda flat": a fixed 13% leaves a flat photo flat. A flat look with no
    // percentage is stretched from the image's own levels, like "too dark". Too much contrast keeps
    // a fixed amount: the image says how far a flat photo is from full range, not how harsh is too harsh.
    return byProblem && sign > 0 && !percent ? { op: 'contrast', factor, auto: true } : { op: 'contrast', factor };
  },
};

export const saturation: Frame = {
  name: 'saturation', triggers: ['saturation', 'vivid', 'muted'], example: 'saturation',
  read(c) {
    let sign = toned(c, 'vivid', 'muted', 'saturation');
    // "more colour", "less colour": the colour noun with a direction.
    const colour = c.find((t) => t.concepts.has('color') && !t.concepts.has('temperature'))[0];
    if (!sign && colour && (c.has('more') || c.has('less')) && c.colors().length === 0) {
      c.use(colour.index);
      sign = directionOf(c) * (c.problem ? -1 : 1);
      if (c.problem) c.take('too');
    }
    if (!sign) return null;
    c.takeAll('color');
    const amount = amountOf(c, 0.3, true);
    return { op: 'saturation', factor: sign > 0 ? 1 + amount : Math.max(0, 1 - amount) };
  },
};

/**
 * "Remove the yellow cast", "less yellow", "quita el tono amarillo", "去掉黄色偏色": taking away a warm
 * hue (yellow, orange) cools the photo, taking away blue warms it. Other casts (green, magenta) are
 * not a warmth, and are not read. `named`: the clause names the cast to remove ("the yellow cast",
 * "el tono amarillo"), which describes the photo; "less yellow" only says which way to go.
 */
function castRemoved(c: Clause): { sign: number; named: boolean } {
  const none = { sign: 0, named: false };
  const colors = c.colors();
  // "Remove the yellow" alone may mean yellow things; a cast is named as one ("the yellow cast", "el tono amarillo").
  if (colors.length !== 1 || !(c.has('less') || (c.has('remove') && c.has('tint', 'color'))) || c.find((t) => t.thing !== undefined).length) return none;
  const [r, g, b] = colors[0]!.color;
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (max === 0 || d / max < 0.3) return none;
  const h = (((max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4) * 60) + 360) % 360;
  const sign = h >= 20 && h <= 70 ? -1 : h >= 180 && h <= 250 ? 1 : 0;
  if (sign === 0) return none;
  c.use(colors[0]!.index);
  const named = c.has('tint');
  c.take('remove') ?? c.take('less');
  return { sign, named };
}

/**
 * "Fix the white balance", "the white balance is off", "corrige la balance des blancs", "the photo
 * has a colour cast", "remove the colour cast": a cast to correct, with no direction and no colour.
 * `noun`: the clause named the white balance (or colour temperature), already used. A cast word
 * alone ("cast", "tint") is one only in a described problem or with "remove": "give it a tint"
 * asks for one. A filter (a tint word that also names the image's look) may be more than a colour,
 * and taking a cast out would do only part of removing it.
 */
function castToCorrect(c: Clause, noun: boolean): boolean {
  if (c.colors().length || c.find((t) => t.thing !== undefined).length) return false;
  if (noun) return true;
  if (!c.has('tint') || c.has('add') || c.find((t) => t.concepts.has('tint') && t.concepts.has('image')).length) return false;
  if (c.problem) return true;
  return !!(c.take('remove') ?? c.take('less'));
}

export const temperature: Frame = {
  name: 'temperature', triggers: ['warm', 'cool'], example: 'temperature',
  read(c) {
    // "Lower the colour temperature": a lower temperature is cooler. "The white balance" is that noun too.
    const noun = c.has('temperature');
    const toned = tonedBy(c, 'warm', 'cool', 'temperature');
    const removed = toned.sign ? null : castRemoved(c);
    const sign = toned.sign || removed!.sign;
    // "The white balance is off", "fix the white balance": correct whichever way the photo needs.
    if (!sign) {
      if (!castToCorrect(c, noun)) return null;
      c.takeAll('tint');
      c.takeAll('color');
      return { op: 'temperature', amount: 0, auto: true };
    }
    c.takeAll('tint');
    c.takeAll('color');
    const percent = c.find((t) => t.number !== undefined && t.unit === 'pct').length > 0;
    const amount = amountOf(c, 0.2, true);
    // "It's too yellow", "remove the yellow cast": a fixed 20% leaves a strong cast clearly there.
    // A described cast with no percentage is measured and taken out; an instruction ("cooler",
    // "less yellow", "10% cooler") keeps its amount.
    const described = toned.sign ? toned.byProblem : removed!.named;
    return described && !percent ? { op: 'temperature', amount: sign > 0 ? amount : -amount, auto: true } : { op: 'temperature', amount: sign > 0 ? amount : -amount };
  },
};

export const hue: Frame = {
  name: 'hue', triggers: ['hue'], example: 'hue',
  read(c) {
    if (!c.take('hue')) return null;
    c.take('rotate');
    c.takeAll('color');
    const degrees = numberWith(c, ['deg'], true, true) ?? 90;
    const sign = c.take('counterclockwise') ? -1 : (c.take('clockwise'), 1);
    return { op: 'hue', degrees: (((sign * degrees) % 360) + 360) % 360 };
  },
};

/** "Give it a blue tint", "a warm orange filter", "tint it #ff8800". */
export const tint: Frame = {
  name: 'tint', triggers: ['tint'], example: 'tint',
  read(c) {
    if (!c.has('tint')) return null;
    const colors = c.colors();
    if (colors.length !== 1) return null;
    c.take('tint');
    c.use(colors[0]!.index);
    c.takeAll('color');
    return { op: 'tint', color: colors[0]!.color, strength: amountOf(c, 0.3) };
  },
};
