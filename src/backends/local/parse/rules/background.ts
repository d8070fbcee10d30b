import { AMOUNT_WORDS, parseAmount } from '../amounts.ts';
import { findColor } from '../colors.ts';
import { onlyKnownWordsLeft, type Rule } from './shared.ts';

const BACKGROUND = /\b(?:background|backdrop|bg|behind (?:the|him|her|them|it)|surroundings)\b/;
const SUBJECT_WORDS = ['subject', 'person', 'product', 'object', 'foreground', 'main', 'him', 'her', 'them', 'people', 'man', 'woman',
  'item', 'cat', 'dog', 'car', 'model', 'portrait'];
const WORDS = [...AMOUNT_WORDS, ...SUBJECT_WORDS, 'background', 'backdrop', 'bg', 'behind', 'surroundings', 'keep', 'keeping', 'leave',
  'only', 'on', 'onto', 'against', 'plain', 'solid', 'pure', 'clean', 'color', 'colour', 'colored', 'coloured', 'studio', 'out',
  'cut', 'from', 'isolate', 'isolated', 'the', 'sharp', 'in', 'focus', 'and', 'intact', 'as', 'place', 'put', 'set', 'with'];

const REMOVE = /\b(?:remove|delete|erase|cut out|get rid of|take out|drop|strip|clear|transparent|transparency|isolate|no)\b/;
// The background itself must be what goes: "remove the background", "transparent background",
// "no background" — not "remove the person in the background".
const REMOVES_BACKGROUND = /\b(?:remove|delete|erase|get rid of|take out|drop|strip|clear)\s+(?:the\s+|its\s+|this\s+|all\s+(?:the\s+)?)?(?:background|backdrop|bg)\b|\b(?:transparent|no|without(?: a| the)?)\s+(?:background|backdrop|bg)\b|\b(?:background|backdrop|bg)\s+(?:transparent|removed)\b|\b(?:make|set|turn)\s+(?:the\s+)?(?:background|backdrop|bg)\s+(?:to\s+)?transparent\b/;
const BLUR = /\b(?:blur(?:red|ry)?|bokeh|out of focus|defocus(?:ed)?|soft(?:en)?|shallow depth of field|portrait mode)\b/;
const GREY = /\b(?:black_and_white|gr[ae]y\s*-?scale|monochrome|desaturated?|colou?rless)\b/;
const SECOND = /\b(?:(?:the\s+)?(?:second|2nd|other|last)\s+(?:image|photo|picture|pic|one|1|upload)|(?:image|photo|picture)\s*#?\s*(?:2|two))\b/;
const FIRST = /\b(?:(?:the\s+)?(?:first|1st)\s+(?:image|photo|picture|pic|one|1|upload)|(?:image|photo|picture)\s*#?\s*1)\b/;
const MOVE = /\b(?:put|place|paste|move|composite|insert|transfer|add|cut)\b/;
// "with a soft shadow", "and a contact shadow": a shadow under the subject on a new plain background.
const SHADOW = /\b(?:(?:and|with)\s+)?(?:an?\s+)?(?:(?:soft|subtle|natural|contact|drop|ground)\s+)*shadows?(?:\s+(?:under|beneath|below)(?:\s+(?:it|the\s+\w+|him|her|them))?)?\b/;
const REPLACE = /\b(?:make|change|replace|set|turn|swap|paint|fill|use|put|place|with|to|on|onto|against)\b/;

/**
 * Background edits: remove it, replace it with a colour, blur it, or make it black and white while
 * the subject keeps its colour. Recognised only when the clause names the background (or cuts the
 * subject out), so "blur it" stays a whole-image blur.
 */
export const background: Rule = {
  name: 'background',
  help: 'background edits ("remove the background", "white studio background with a soft shadow", "blur the background", "make the background black and white")',
  match(clause) {
    // "replace the background with the second image", "put the subject of the first image onto the second".
    if (SECOND.test(clause) && (BACKGROUND.test(clause) || MOVE.test(clause))) {
      return onlyKnownWordsLeft(clause, [SECOND, FIRST, MOVE, BACKGROUND, REPLACE], [...WORDS, 'first', 'second', 'from', 'of', 'onto', 'into', 'over'])
        ? { op: 'background', action: 'image' } : null;
    }
    const cutOut = /\b(?:cut out|isolate)\b.*\b(?:subject|person|product|object)\b/.test(clause);
    if (!BACKGROUND.test(clause) && !cutOut) return null;
    const known = (extra: RegExp[]) => onlyKnownWordsLeft(clause, [BACKGROUND, ...extra], WORDS);
    if (GREY.test(clause) && known([GREY, REPLACE])) return { op: 'background', action: 'grayscale' };
    if (BLUR.test(clause) && known([BLUR, REPLACE])) return { op: 'background', action: 'blur', amount: parseAmount(clause, 1) };
    const color = findColor(clause.replace(BACKGROUND, ' ').replace(SHADOW, ' '));
    const shadow = SHADOW.test(clause);
    if (color && known([REPLACE, SHADOW, colorWords(clause)])) return { op: 'background', action: 'color', color, shadow };
    if (/\bstudio\b/.test(clause) && known([REPLACE, SHADOW])) return { op: 'background', action: 'color', color: [255, 255, 255], shadow };
    if ((REMOVES_BACKGROUND.test(clause) || cutOut) && known([REMOVE, REPLACE])) return { op: 'background', action: 'remove' };
    return null;
  },
};

/** Matches the words of the clause that belong to a colour phrase, so they do not count as unknown. */
function colorWords(clause: string): RegExp {
  const words = clause.split(/\s+/).filter((w) => findColor(w) !== null || /^(?:light|dark|lighter|darker|pale|deep|bright|sky)$/.test(w));
  return words.length ? new RegExp(`(?:^|\\s)(?:${words.map((w) => w.replace(/[^a-z0-9#]/g, '')).join('|')})(?=\\s|$)`, 'g') : /(?!)/;
}
