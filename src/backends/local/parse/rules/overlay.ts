import { AMOUNT_WORDS, parsePosition, POSITION_WORDS } from '../amounts.ts';
import { COLOR_PHRASE, parseColor, type RGB } from '../colors.ts';
import { type ParseContext, rule } from './shared.ts';

/** The quoted text a clause refers to ("qtxt0" placeholders, see parse/index.ts). */
function quoted(clause: string, ctx: ParseContext): string | null {
  const m = /\bqtxt(\d+)\b/.exec(clause);
  return m ? ctx.quotes[Number(m[1])] ?? null : null;
}

function colorOf(clause: string): RGB | undefined {
  const m = new RegExp(`\\b(?:in|colou?red|colou?r)\\s+${COLOR_PHRASE}`).exec(clause);
  if (m) return parseColor(m[1]!) ?? undefined;
  const bare = new RegExp(`${COLOR_PHRASE}\\s+(?:text|letters|font|caption|title|words)`).exec(clause);
  return bare ? parseColor(bare[1]!) ?? undefined : undefined;
}

function sizeOf(clause: string): number | 'small' | 'large' | undefined {
  const px = /(\d{1,3})\s*(?:px|pt|pixels?|points?)\b/.exec(clause);
  if (px) return Number(px[1]);
  if (/\b(?:large|big|huge|bold)\b/.test(clause)) return 'large';
  if (/\b(?:small|tiny|little)\b/.test(clause)) return 'small';
  return undefined;
}

const TEXT_WORDS = [...POSITION_WORDS, ...AMOUNT_WORDS, 'text', 'words', 'caption', 'title', 'label', 'saying', 'says', 'reads',
  'that', 'with', 'in', 'font', 'size', 'px', 'pt', 'pixels', 'points', 'large', 'big', 'huge', 'bold', 'small', 'tiny', 'letters',
  'colored', 'coloured', 'color', 'colour', 'write', 'put', 'place', 'overlay', 'headline', 'banner', 'on', 'top'];

export const text = rule({
  name: 'text',
  help: "add text (\"add the text 'SALE' in the top right corner in red\")",
  trigger: /\b(?:text|caption|title|write|writing|words?|label|headline|saying|says)\b/,
  consumed: [/\bqtxt\d+\b/, new RegExp(COLOR_PHRASE, 'g')],
  words: TEXT_WORDS,
  build(clause, ctx) {
    if (/\bwatermark\b/.test(clause)) return null;
    const value = quoted(clause, ctx);
    if (!value?.trim()) return null;
    const size = sizeOf(clause);
    const color = colorOf(clause);
    return { op: 'text', text: value, position: parsePosition(clause, 'bottom'), ...(color ? { color } : {}), ...(size !== undefined ? { size } : {}) };
  },
});

export const watermark = rule({
  name: 'watermark',
  help: "add a watermark (\"add a watermark 'DRAFT' with 50% opacity in the bottom right\")",
  trigger: /\bwatermark(?:ed)?\b/,
  consumed: [/\bqtxt\d+\b/, /\d+\s*%/, new RegExp(COLOR_PHRASE, 'g')],
  words: [...TEXT_WORDS, 'opacity', 'opaque', 'transparent', 'transparency', 'semi', 'semi-transparent', 'faint', 'subtle', 'visible'],
  build(clause, ctx) {
    const value = quoted(clause, ctx);
    if (!value?.trim()) return null;
    const pct = /(\d{1,3})\s*%\s*(?:opacity|opaque)?/.exec(clause);
    const opacity = pct ? Math.min(1, Number(pct[1]) / 100) : /\b(?:faint|subtle)\b/.test(clause) ? 0.25 : 0.4;
    const color = colorOf(clause);
    const size = sizeOf(clause);
    return { op: 'watermark', text: value, opacity, position: parsePosition(clause, 'bottom-right'), ...(color ? { color } : {}), ...(size !== undefined ? { size } : {}) };
  },
});
