import type { EditOp } from '../plan.ts';

/**
 * A rule recognises one kind of instruction. `match` returns the operation, or null when the clause
 * is not (fully) this kind. Words a clause may contain beyond the rule's own patterns are limited to
 * COMMON_WORDS and the rule's `words`, so "make the background black and white" does not pass for a
 * whole-image black-and-white edit: an unknown word means the clause is not understood.
 */
export interface Rule {
  name: string;
  /** How the rule is described in the "what I can do" list of an unsupported_edit error. */
  help: string;
  words: string[];
  match(clause: string): EditOp | { keep: true } | null;
}

export const COMMON_WORDS = new Set([
  'a', 'an', 'the', 'it', 'its', "it's", 'this', 'that', 'my', 'our', 'image', 'images', 'photo', 'photograph', 'picture', 'pic',
  'shot', 'whole', 'entire', 'make', 'turn', 'convert', 'change', 'into', 'to', 'in', 'be', 'so', 'version', 'of', 'should',
  'just', 'all', 'everything', 'please', 'me', 'for', 'now', 'fully', 'completely', 'entirely', 'totally', 'give', 'apply',
  'set', 'render', 'as', 'is', 'by', 'with', 'result', 'output', 'final',
]);

const words = (s: string) => s.split(/[^a-z0-9'%.-]+/).filter(Boolean);

/** True when every word left after removing `consumed` is common or the rule's own. */
function onlyKnownWordsLeft(clause: string, consumed: RegExp[], extra: string[]): boolean {
  let rest = clause;
  for (const re of consumed) rest = rest.replace(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`), ' ');
  const allowed = new Set(extra);
  return words(rest).every((w) => COMMON_WORDS.has(w) || allowed.has(w));
}

const GRAYSCALE = /\b(?:black_and_white|gr[ae]y\s*-?scale|monochrome|mono|desaturated?|desaturate|decolou?ri[sz]ed?|noir|colou?rless|(?:remove|drop|strip|take out)\s+(?:all\s+)?(?:the\s+)?colou?rs?|(?:without|no)\s+colou?rs?)\b/;

const grayscale: Rule = {
  name: 'grayscale',
  help: 'black and white ("make it black and white", "grayscale")',
  words: ['look', 'like', 'old', 'photo', 'style', 'tone', 'tones', 'only', 'shades', 'convert', 'film'],
  match(clause) {
    if (!GRAYSCALE.test(clause)) return null;
    return onlyKnownWordsLeft(clause, [GRAYSCALE], this.words) ? { op: 'grayscale' } : null;
  },
};

const ANGLE = /(-?\d+(?:\.\d+)?)\s*(?:°|degrees?|degs?|deg)?/;
const ROTATE_VERB = /\b(?:rotate|rotated|rotation|turn|spin|tilt)\b/;
const COUNTER = /\b(?:counter-?\s*clockwise|anti-?\s*clockwise|ccw|to the left|left(?:wards)?)\b/;
const CLOCKWISE = /\b(?:clockwise|cw|to the right|right(?:wards)?)\b/;
const UPSIDE_DOWN = /\bupside[\s-]*down\b/;
const QUARTER = /\b(?:a\s+)?quarter(?:\s+turn)?\b/;
const HALF_TURN = /\b(?:a\s+)?half(?:\s+turn)?\b/;

const rotate: Rule = {
  name: 'rotate',
  help: 'rotate by any angle ("rotate 90 degrees clockwise", "turn it upside down")',
  words: ['by', 'around', 'degrees', 'degree', 'turn', 'times', 'once', 'over'],
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
    if (!onlyKnownWordsLeft(clause, consumed, this.words)) return null;
    return { op: 'rotate', degrees };
  },
};

const FLIP_VERB = /\b(?:flip(?:ped)?|mirror(?:ed)?|reflect(?:ed)?)\b/;
const VERTICAL = /\b(?:vertical(?:ly)?|upside[\s-]*down|top_to_bottom|top to bottom|bottom to top|up-?down|over the horizontal axis|along the horizontal axis)\b/;
const HORIZONTAL = /\b(?:horizontal(?:ly)?|left_to_right|left to right|right to left|sideways|over the vertical axis|along the vertical axis)\b/;

const flip: Rule = {
  name: 'flip',
  help: 'flip or mirror ("flip horizontally", "mirror it", "flip vertically")',
  words: ['image', 'axis', 'along', 'over', 'around', 'view'],
  match(clause) {
    if (!FLIP_VERB.test(clause)) return null;
    if (!onlyKnownWordsLeft(clause, [FLIP_VERB, VERTICAL, HORIZONTAL], this.words)) return null;
    // "Flip" and "mirror" alone mean a left-right mirror, as in every photo editor.
    return { op: 'flip', axis: VERTICAL.test(clause) ? 'vertical' : 'horizontal' };
  },
};

const RESIZE_VERB = /\b(?:resize|resized|rescale|scale|scaled|upscale|upscaled|downscale|downscaled|upsample|downsample|enlarge|shrink|reduce|increase|make it (?:bigger|smaller|larger)|make (?:the )?(?:image|photo|picture) (?:bigger|smaller|larger)|double|halve)\b/;
const DOWN = /\b(?:down|downscale|downscaled|downsample|shrink|smaller|reduce|halve|half)\b/;
const UP = /\b(?:up|upscale|upscaled|upsample|enlarge|bigger|larger|increase|double)\b/;
const DIMENSIONS = /\b(\d{1,5})\s*[x×*]\s*(\d{1,5})\s*(?:px|pixels)?\b/;
const FACTOR = /\b(\d+(?:\.\d+)?)\s*(?:x|×|times)(?![\d])/;
const PERCENT = /\b(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)/;
const WIDTH = /\b(?:(\d{1,5})\s*(?:px|pixels?)?\s*(?:wide|in width|width)|width\s*(?:of|to|=)?\s*(\d{1,5})\s*(?:px|pixels?)?)/;
const HEIGHT = /\b(?:(\d{1,5})\s*(?:px|pixels?)?\s*(?:tall|high|in height|height)|height\s*(?:of|to|=)?\s*(\d{1,5})\s*(?:px|pixels?)?)/;
const LONGEST = /\bto\s+(\d{1,5})\s*(?:px|pixels?)\b/;
const HALF = /\b(?:half\s+(?:the|its)\s+(?:size|resolution|dimensions)|halve)\b/;
const DOUBLE = /\b(?:double|twice)(?:\s+(?:the|its)\s+(?:size|resolution|dimensions))?\b/;

const resize: Rule = {
  name: 'resize',
  help: 'resize or scale ("resize to 800x600", "scale to 50%", "upscale 2x", "make it 1024 pixels wide")',
  words: ['size', 'resolution', 'dimensions', 'by', 'factor', 'a', 'of', 'up', 'down', 'pixels', 'px', 'bigger', 'smaller',
    'larger', 'times', 'original', 'than', 'wide', 'tall', 'high', 'width', 'height', 'at', 'keeping', 'aspect', 'ratio'],
  match(clause) {
    if (![RESIZE_VERB, HALF, DOUBLE, WIDTH, HEIGHT, /\b(?:bigger|smaller|larger)\b/].some((re) => re.test(clause))) return null;
    const consumed = [RESIZE_VERB, DOWN, UP, DIMENSIONS, FACTOR, PERCENT, WIDTH, HEIGHT, LONGEST, HALF, DOUBLE];
    if (!onlyKnownWordsLeft(clause, consumed, this.words)) return null;
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

const KEEP = /^(?:(?:but|while|and)\s+)?(?:keep|keeping|leave|leaving|preserve|preserving|maintain|maintaining|retain|don't change|do not change|dont change|without changing|no other changes|nothing else|don't touch|do not touch|don't alter|do not alter)\b/;

const keep: Rule = {
  name: 'keep',
  help: 'phrases that keep things as they are ("keep everything else the same")',
  words: [],
  match: (clause) => (KEEP.test(clause) ? { keep: true } : null),
};

/** Every rule, in the order they are tried. Issue by issue the engine grows by adding rules here. */
export const RULES: Rule[] = [keep, grayscale, rotate, flip, resize];
