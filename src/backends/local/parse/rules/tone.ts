import { AMOUNT_WORDS, parseAmount } from '../amounts.ts';
import { COLOR_PHRASE, findColor } from '../colors.ts';
import { rule } from './shared.ts';

const GRAYSCALE = /\b(?:black_and_white|gr[ae]y\s*-?scale|monochrome|mono|desaturated?|desaturate|decolou?ri[sz]ed?|noir|colou?rless|(?:remove|drop|strip|take out)\s+(?:all\s+)?(?:the\s+)?colou?rs?|(?:without|no)\s+colou?rs?)\b/;

export const grayscale = rule({
  name: 'grayscale',
  help: 'black and white ("make it black and white", "grayscale")',
  trigger: GRAYSCALE,
  words: ['like', 'old', 'style', 'tone', 'tones', 'only', 'shades', 'film', 'classic'],
  build: () => ({ op: 'grayscale' }),
});

export const sepia = rule({
  name: 'sepia',
  help: 'sepia or vintage ("make it sepia", "give it a vintage look")',
  trigger: /\b(?:sepia|vintage|old-?fashioned|antique|retro|aged|old photo(?:graph)?|old-timey)\b/,
  words: ['like', 'an', 'old', 'style', 'tone', 'toned', 'tones', 'effect', 'filter', 'look', 'from', 'the', 'past'],
  build: () => ({ op: 'sepia' }),
});

export const invert = rule({
  name: 'invert',
  help: 'invert colours ("invert the colors", "make it a negative")',
  trigger: /\b(?:invert(?:ed)?|inverse|negative|negate)\b/,
  words: ['colors', 'colours', 'color', 'colour', 'film', 'effect'],
  build: () => ({ op: 'invert' }),
});

const BRIGHTER = /\b(?:brighter|brighten|lighten|lighter|more light|increase (?:the )?brightness|boost (?:the )?brightness|raise (?:the )?brightness|more brightness|brightness up|more exposure|increase (?:the )?exposure|overexpose|brighter exposure)\b/;
const DARKER = /\b(?:darker|darken|dimmer|dim|less light|decrease (?:the )?brightness|reduce (?:the )?brightness|lower (?:the )?brightness|less brightness|brightness down|less exposure|reduce (?:the )?exposure|decrease (?:the )?exposure|underexpose|moodier)\b/;

export const brightness = rule({
  name: 'brightness',
  help: 'brightness ("make it brighter", "darken it a bit", "increase brightness by 30%")',
  trigger: new RegExp(`${BRIGHTER.source}|${DARKER.source}`),
  words: [...AMOUNT_WORDS, 'brightness', 'exposure', 'overall'],
  build(clause) {
    const amount = parseAmount(clause, 0.2);
    return { op: 'brightness', factor: BRIGHTER.test(clause) ? 1 + amount : Math.max(0.05, 1 - amount) };
  },
});

const MORE_CONTRAST = /\b(?:more contrast|increase (?:the )?contrast|boost (?:the )?contrast|higher contrast|raise (?:the )?contrast|add contrast|contrast up|punchier|more punch|more contrasty|contrastier)\b/;
const LESS_CONTRAST = /\b(?:less contrast|decrease (?:the )?contrast|reduce (?:the )?contrast|lower contrast|lower (?:the )?contrast|contrast down|flatter|softer contrast)\b/;

export const contrast = rule({
  name: 'contrast',
  help: 'contrast ("increase the contrast", "lower the contrast slightly")',
  trigger: new RegExp(`${MORE_CONTRAST.source}|${LESS_CONTRAST.source}`),
  words: [...AMOUNT_WORDS, 'contrast'],
  build(clause) {
    const amount = parseAmount(clause, 0.25);
    return { op: 'contrast', factor: MORE_CONTRAST.test(clause) ? 1 + amount : Math.max(0.05, 1 - amount) };
  },
});

const MORE_SAT = /\b(?:more (?:vivid|vibrant|saturated|colou?rful|saturation)|vivid|vibrant|saturate|increase (?:the )?saturation|boost (?:the )?(?:saturation|colou?rs?)|more intense colou?rs?|pop|richer colou?rs?|colou?rs? (?:more )?(?:vivid|vibrant|intense|rich|richer|pop))\b/;
const LESS_SAT = /\b(?:muted|less (?:vivid|vibrant|saturated|colou?rful|saturation)|reduce (?:the )?saturation|decrease (?:the )?saturation|lower (?:the )?saturation|washed[- ]out|desaturate (?:it |the colou?rs )?(?:slightly|a (?:little )?bit|a little|somewhat)|subdued|pastel|faded|tone down (?:the )?colou?rs?)\b/;

export const saturation = rule({
  name: 'saturation',
  help: 'saturation ("more vivid", "muted colors")',
  trigger: new RegExp(`${LESS_SAT.source}|${MORE_SAT.source}`),
  words: [...AMOUNT_WORDS, 'colors', 'colours', 'color', 'colour', 'tones', 'saturation', 'look'],
  build(clause) {
    const amount = parseAmount(clause, 0.3);
    return { op: 'saturation', factor: LESS_SAT.test(clause) ? Math.max(0, 1 - amount) : 1 + amount };
  },
});

const WARM = /\b(?:warmer|warm(?: up)?|warmth|more golden|golden hour|sunnier)\b/;
const COOL = /\b(?:cooler|cool(?: down)?|colder|cold|more blue|bluer|icier)\b/;

export const temperature = rule({
  name: 'temperature',
  help: 'colour temperature ("make it warmer", "cooler tones")',
  trigger: new RegExp(`${WARM.source}|${COOL.source}`),
  words: [...AMOUNT_WORDS, 'tones', 'tone', 'colors', 'colours', 'temperature', 'white', 'balance', 'tint', 'cast', 'feel', 'look', 'up', 'down'],
  build(clause) {
    const amount = parseAmount(clause, 0.2);
    return { op: 'temperature', amount: WARM.test(clause) ? amount : -amount };
  },
});

const HUE = /\b(?:hue)\b/;
export const hue = rule({
  name: 'hue',
  help: 'hue shift ("shift the hue by 90 degrees")',
  trigger: HUE,
  consumed: [/\b(?:shift|rotate|change|adjust|move|cycle)\b/, /-?\d+(?:\.\d+)?\s*(?:°|degrees?|deg)?/],
  words: ['by', 'degrees', 'degree', 'colors', 'colours', 'of', 'all'],
  build(clause) {
    const d = /(-?\d+(?:\.\d+)?)/.exec(clause);
    const degrees = d ? Number(d[1]) : 90;
    return { op: 'hue', degrees: ((degrees % 360) + 360) % 360 };
  },
});

const TINT = new RegExp(`\\b(?:tint(?:ed)?|wash|cast|overlay|filter|toned?)\\b`);
export const tint = rule({
  name: 'tint',
  help: 'tint in a colour ("give it a blue tint", "tint it #ff8800")',
  trigger: TINT,
  consumed: [new RegExp(COLOR_PHRASE, 'g')],
  words: [...AMOUNT_WORDS, 'colour', 'color', 'colored', 'coloured', 'light', 'strong', 'subtle', 'over', 'on', 'top'],
  build(clause) {
    const strength = parseAmount(clause, 0.3);
    const color = findColor(clause.replace(/\b(?:tint(?:ed)?|wash|cast|overlay|filter|toned?)\b/g, ' '));
    return color ? { op: 'tint', color, strength } : null;
  },
});
