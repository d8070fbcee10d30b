import { parseColor, type RGB } from '../colors.ts';
import type { Rule } from './shared.ts';

const COLOR = String.raw`((?:(?:light|dark|pale|deep|bright)\s+)?[a-z]+|#[0-9a-f]{3,6})`;
// One or two words; the second never a linking word, so "the car to yellow" reads as car + yellow.
const OBJECT = String.raw`([a-z]+(?:\s(?!to\b|into\b|with\b|for\b)[a-z]+)?)`;

// Parts of a scene rather than a subject: the subject mask cannot find them, so they are refused
// rather than recoloured wrongly.
const NOT_A_SUBJECT = /\b(?:sky|background|backdrop|grass|wall|walls|water|sea|ocean|floor|ground|road|trees?|clouds?|hair|eyes?|lips|skin|teeth|image|photo|picture|it|everything|colou?rs?|tones?|lighting|light)\b/;
const POSSESSIVE = /\b(?:his|her|their|its|my|your)\b/;

const PATTERNS: Array<{ re: RegExp; read(m: RegExpExecArray): { from?: string; object?: string; to: string } }> = [
  // "replace the red car with a blue car", "swap the red cup for a green one"
  { re: new RegExp(String.raw`^(?:replace|swap)\s+(?:the\s+)?(?:${COLOR}\s+)?${OBJECT}\s+(?:with|for)\s+(?:a|an|the)?\s*${COLOR}(?:\s+one|\s+[a-z]+)?$`), read: (m) => ({ from: m[1], object: m[2], to: m[3]! }) },
  // "change the color of the car to blue", "make the colour of the cup green"
  { re: new RegExp(String.raw`^(?:change|make|set|turn)\s+the\s+colou?r\s+of\s+(?:the\s+)?${OBJECT}\s+(?:to\s+|into\s+)?${COLOR}$`), read: (m) => ({ object: m[1], to: m[2]! }) },
  // "change red to blue", "turn all the red into purple", "make the reds green", "replace red with blue"
  { re: new RegExp(String.raw`^(?:change|turn|make|replace|swap|recolou?r)\s+(?:all\s+(?:of\s+)?(?:the\s+)?|the\s+)?${COLOR}s?(?:\s+(?:colou?rs?|tones|parts|areas|things))?\s+(?:to|into|with|for)\s+${COLOR}$`), read: (m) => ({ from: m[1], to: m[2]! }) },
  // "make the red cup green", "paint the blue door yellow", "turn the car red"
  { re: new RegExp(String.raw`^(?:make|turn|paint|colou?r|recolou?r|change)\s+(?:the\s+|all\s+(?:the\s+)?)?(?:${COLOR}\s+)?${OBJECT}\s+(?:to\s+|into\s+)?${COLOR}$`), read: (m) => ({ from: m[1], object: m[2], to: m[3]! }) },
];

const chromatic = (c: RGB) => Math.max(...c) - Math.min(...c) > 40;

/** "make the red cup green": select by hue, within the subject when an object is named, and recolour keeping shading. */
export const recolor: Rule = {
  name: 'recolor',
  help: 'recolour things ("make the red cup green", "replace the red car with a blue car", "change red to blue")',
  match(clause) {
    for (const { re, read } of PATTERNS) {
      const m = re.exec(clause);
      if (!m) continue;
      const parts = read(m);
      const to = parseColor(parts.to);
      const from = parts.from ? parseColor(parts.from) : null;
      if (!to || (parts.from && !from)) continue;
      // A colour word read as the object ("make the red green") is the colour form instead.
      if (parts.object && parseColor(parts.object)) continue;
      if (parts.object && (NOT_A_SUBJECT.test(parts.object) || POSSESSIVE.test(clause))) return null;
      // Hue selection needs a hue: white, grey and black things cannot be told apart by it.
      if (from && !chromatic(from)) return null;
      if (!parts.object && !from) return null;
      return { op: 'recolor', from, to, object: parts.object ?? null };
    }
    return null;
  },
};
