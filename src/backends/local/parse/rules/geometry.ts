import { AMOUNT_WORDS } from '../amounts.ts';
import { COLOR_PHRASE, findColor, type RGB } from '../colors.ts';
import { onlyKnownWordsLeft, type Rule, rule } from './shared.ts';

const ANGLE = /(-?\d+(?:\.\d+)?)\s*(?:°|degrees?|degs?|deg)?/;
const ROTATE_VERB = /\b(?:rotate|rotated|rotation|turn|spin|tilt)\b/;
const COUNTER = /\b(?:counter-?\s*clockwise|anti-?\s*clockwise|ccw|to the left|left(?:wards)?)\b/;
const CLOCKWISE = /\b(?:clockwise|cw|to the right|right(?:wards)?)\b/;
const UPSIDE_DOWN = /\bupside[\s-]*down\b/;
const QUARTER = /\b(?:a\s+)?quarter(?:\s+turn)?\b/;
const HALF_TURN = /\b(?:a\s+)?half(?:\s+turn)?\b/;

export const rotate: Rule = {
  name: 'rotate',
  help: 'rotate by any angle ("rotate 90 degrees clockwise", "turn it upside down")',
  match(clause) {
    if (!ROTATE_VERB.test(clause) || /\bflip\b|\bmirror\b/.test(clause)) return null;
    let degrees: number | undefined;
    const consumed = [ROTATE_VERB, COUNTER, CLOCKWISE, /\s-?\d+(?:\.\d+)?\s*(?:°|degrees?|degs?|deg)?/];
    if (UPSIDE_DOWN.test(clause)) { degrees = 180; consumed.push(UPSIDE_DOWN); }
    else if (QUARTER.test(clause)) { degrees = 90; consumed.push(QUARTER); }
    else if (HALF_TURN.test(clause)) { degrees = 180; consumed.push(HALF_TURN); }
    else {
      const angle = ANGLE.exec(clause.replace(/^.*?\b(?:rotate|rotated|rotation|turn|spin|tilt)\b/, ''));
      if (angle?.[1] !== undefined && /\d/.test(angle[0])) degrees = Number(angle[1]);
      else if (COUNTER.test(clause) || CLOCKWISE.test(clause)) degrees = 90; // "rotate left": a quarter turn
    }
    if (degrees === undefined || !Number.isFinite(degrees)) return null;
    if (COUNTER.test(clause)) degrees = -degrees;
    degrees = ((degrees % 360) + 360) % 360;
    if (!onlyKnownWordsLeft(clause, consumed, ['by', 'around', 'degrees', 'degree', 'turn', 'times', 'once', 'over'])) return null;
    return { op: 'rotate', degrees };
  },
};

const FLIP_VERB = /\b(?:flip(?:ped)?|mirror(?:ed)?|reflect(?:ed)?)\b/;
const VERTICAL = /\b(?:vertical(?:ly)?|upside[\s-]*down|top_to_bottom|top to bottom|bottom to top|up-?down|over the horizontal axis|along the horizontal axis)\b/;
const HORIZONTAL = /\b(?:horizontal(?:ly)?|left_to_right|left to right|right to left|sideways|over the vertical axis|along the vertical axis)\b/;

export const flip = rule({
  name: 'flip',
  help: 'flip or mirror ("flip horizontally", "mirror it", "flip vertically")',
  trigger: FLIP_VERB,
  consumed: [VERTICAL, HORIZONTAL],
  words: ['axis', 'along', 'over', 'around', 'view'],
  // "Flip" and "mirror" alone mean a left-right mirror, as in every photo editor.
  build: (clause) => ({ op: 'flip', axis: VERTICAL.test(clause) ? 'vertical' : 'horizontal' }),
});

const RESIZE_VERB = /\b(?:resize|resized|rescale|scale|scaled|upscale|upscaled|downscale|downscaled|upsample|downsample|enlarge|shrink|reduce|increase|make it (?:bigger|smaller|larger)|make (?:the )?(?:image|photo|picture) (?:bigger|smaller|larger)|double|halve)\b/;
const DOWN = /\b(?:down|downscale|downscaled|downsample|shrink|smaller|reduce|halve|half)\b/;
const UP = /\b(?:up|upscale|upscaled|upsample|enlarge|bigger|larger|increase|double)\b/;
const DIMENSIONS = /\b(\d{1,5})\s*[x×*]\s*(\d{1,5})\s*(?:px|pixels)?\b/;
const FACTOR = /\b(\d+(?:\.\d+)?)\s*(?:x|×|times)(?![\d])/;
const PERCENT = /\b(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)/;
const WIDTH = /\b(?:(\d{1,5})\s*(?:px|pixels?)?\s*(?:wide|in width|width)|width\s*(?:of|to|=)?\s*(\d{1,5})\s*(?:px|pixels?)?)/;
const HEIGHT = /\b(?:(\d{1,5})\s*(?:px|pixels?)?\s*(?:tall|high|in height|height)|height\s*(?:of|to|=)?\s*(\d{1,5})\s*(?:px|pixels?)?)/;
const LONGEST = /\bto\s+(\d{1,5})\s*(?:px|pixels?)\b/;
const HALF = /\b(?:half\s+(?:the|its)\s+(?:size|resolution|dimensions)|halve|by half|in half)\b/;
const DOUBLE = /\b(?:double|twice)(?:\s+(?:the|its)\s+(?:size|resolution|dimensions))?\b/;
const RESIZE_WORDS = ['size', 'resolution', 'dimensions', 'by', 'factor', 'a', 'of', 'up', 'down', 'pixels', 'px', 'bigger', 'smaller',
  'larger', 'times', 'original', 'than', 'wide', 'tall', 'high', 'width', 'height', 'at', 'keeping', 'aspect', 'ratio'];

export const resize: Rule = {
  name: 'resize',
  help: 'resize or scale ("resize to 800x600", "scale to 50%", "upscale 2x", "make it 1024 pixels wide")',
  match(clause) {
    if (![RESIZE_VERB, HALF, DOUBLE, WIDTH, HEIGHT, /\b(?:bigger|smaller|larger)\b/].some((re) => re.test(clause))) return null;
    if (/\b(?:brightness|contrast|saturation|canvas|border|padding)\b/.test(clause)) return null;
    const consumed = [RESIZE_VERB, DOWN, UP, DIMENSIONS, FACTOR, PERCENT, WIDTH, HEIGHT, LONGEST, HALF, DOUBLE];
    if (!onlyKnownWordsLeft(clause, consumed, RESIZE_WORDS)) return null;
    const dims = DIMENSIONS.exec(clause);
    if (dims) return { op: 'resize', width: Number(dims[1]), height: Number(dims[2]) };
    const width = WIDTH.exec(clause);
    const height = HEIGHT.exec(clause);
    if (width || height) {
      const w = width ? Number(width[1] ?? width[2]) : undefined;
      const h = height ? Number(height[1] ?? height[2]) : undefined;
      return { op: 'resize', ...(w ? { width: w } : {}), ...(h ? { height: h } : {}) };
    }
    const down = DOWN.test(clause) && !UP.test(clause);
    const factor = FACTOR.exec(clause);
    if (factor) {
      const f = Number(factor[1]);
      return f > 0 ? { op: 'resize', scale: down ? 1 / f : f } : null;
    }
    const percent = PERCENT.exec(clause);
    if (percent) {
      const p = Number(percent[1]) / 100;
      // "reduce by 25%" and "enlarge by 25%" are relative; "scale to 25%" is absolute.
      const relative = /\bby\s+\d/.test(clause) && (DOWN.test(clause) || UP.test(clause));
      const scale = relative ? (down ? 1 - p : 1 + p) : p;
      return scale > 0 ? { op: 'resize', scale } : null;
    }
    if (HALF.test(clause)) return { op: 'resize', scale: 0.5 };
    if (DOUBLE.test(clause)) return { op: 'resize', scale: 2 };
    const longest = LONGEST.exec(clause);
    if (longest) return { op: 'resize', width: Number(longest[1]) };
    return null;
  },
};

const ASPECTS: Record<string, [number, number]> = {
  square: [1, 1], portrait: [4, 5], landscape: [3, 2], widescreen: [16, 9], panorama: [3, 1], panoramic: [3, 1],
  instagram: [1, 1], story: [9, 16], 'cinematic': [21, 9],
};
const ASPECT_RATIO = /\b(\d{1,2})\s*[:x/]\s*(\d{1,2})\b/;
const ASPECT_WORD = new RegExp(`\\b(${Object.keys(ASPECTS).join('|')})\\b`);

export const cropAspect = rule({
  name: 'crop-aspect',
  help: 'crop to an aspect ratio ("crop to square", "crop it to 16:9")',
  trigger: /\b(?:crop(?:ped)?|make it|cut|reframe|aspect ratio|aspect)\b/,
  consumed: [ASPECT_RATIO, ASPECT_WORD, /\baspect(?:\s+ratio)?\b/, /\bformat\b/, /\bcrop\b/],
  words: ['ratio', 'format', 'shape', 'centered', 'centred', 'around', 'subject', 'main', 'a'],
  build(clause) {
    const ratio = ASPECT_RATIO.exec(clause);
    if (ratio) {
      const w = Number(ratio[1]);
      const h = Number(ratio[2]);
      return w > 0 && h > 0 && w / h <= 21 && h / w <= 21 ? { op: 'crop-aspect', width: w, height: h } : null;
    }
    const word = ASPECT_WORD.exec(clause);
    if (!word) return null;
    const [w, h] = ASPECTS[word[1]!]!;
    return { op: 'crop-aspect', width: w, height: h };
  },
});

export const trim = rule({
  name: 'trim',
  help: 'trim borders ("trim the white border", "autocrop")',
  trigger: /\b(?:trim|auto-?crop|crop (?:out|off|away)|remove|cut off|get rid of)\b/,
  consumed: [/\b(?:white|black|empty|blank|plain|extra|solid|excess|uniform|colou?red)?\s*(?:borders?|edges?|margins?|whitespace|white space|space|padding|frame)\b/],
  words: ['around', 'off', 'away', 'out', 'any', 'from', 'sides'],
  build: (clause) => (/\b(?:borders?|edges?|margins?|whitespace|white space|space|padding|frame)\b|auto-?crop|\btrim\b/.test(clause) ? { op: 'trim' } : null),
});

const PIXELS = /(\d{1,4})\s*(?:px|pixels?|pixel)\b/;
const colorIn = (clause: string, fallback: RGB): RGB => findColor(clause) ?? fallback;
const COLOR_WORDS = ['white', 'black', 'red', 'blue', 'green', 'transparent', 'color', 'colour', 'colored', 'coloured'];

export const border = rule({
  name: 'border',
  help: 'add a border or frame ("add a 20px black border")',
  trigger: /\b(?:border|frame|framed|outline)\b/,
  consumed: [PIXELS, new RegExp(COLOR_PHRASE, 'g')],
  words: ['thick', 'thin', 'wide', 'around', 'edges', 'edge', 'of', 'width', 'simple', 'solid', 'put', 'surround', ...COLOR_WORDS, ...AMOUNT_WORDS],
  build(clause) {
    if (/\b(?:remove|trim|crop|no)\b/.test(clause)) return null;
    const px = PIXELS.exec(clause);
    const color = colorIn(clause.replace(/\b(?:border|frame|framed|outline)\b/g, ' '), [0, 0, 0]);
    const thickness = px ? Number(px[1]) : /\bthick\b/.test(clause) ? 'thick' : /\bthin\b/.test(clause) ? 'thin' : 'normal';
    return { op: 'border', thickness, color };
  },
});

export const pad = rule({
  name: 'pad',
  help: 'pad or extend the canvas ("extend the canvas by 100 pixels", "add 50px of white padding")',
  trigger: /\b(?:pad(?:ding)?|extend|expand|enlarge|grow)\b.*\b(?:canvas|padding|pad|margins?|space)\b|\bpad(?:ding)?\b/,
  consumed: [PIXELS, new RegExp(COLOR_PHRASE, 'g')],
  words: ['canvas', 'on', 'each', 'every', 'side', 'sides', 'around', 'of', 'all', 'space', 'margin', 'margins', 'transparent', ...COLOR_WORDS],
  build(clause) {
    const px = PIXELS.exec(clause);
    const transparent = /\btransparent\b/.test(clause);
    return { op: 'pad', pixels: px ? Number(px[1]) : undefined, color: transparent ? 'transparent' : colorIn(clause, [255, 255, 255]) };
  },
});
