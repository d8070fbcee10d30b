/**
 * How much, from words: "slightly" 0.1, plain 0.2, "much" 0.4; "by 30%" 0.3. Used as the size of a
 * tonal change (brighter by `amount`, more contrast by `amount`, …).
 */
export function parseAmount(clause: string, base = 0.2): number {
  const percent = /(\d+(?:\.\d+)?)\s*(?:%|percent)/.exec(clause);
  if (percent) return Math.min(Number(percent[1]) / 100, 5);
  if (/\b(?:slightly|a (?:little )?bit|a little|a touch|subtly|somewhat|gently|mildly|marginally|a tad)\b/.test(clause)) return base / 2;
  if (/\b(?:much|a lot|lots|very|significantly|way|strongly|dramatically|heavily|considerably|really|super|extremely)\b/.test(clause)) return base * 2;
  return base;
}

/** Words the amount phrases use, so rules can allow them. */
export const AMOUNT_WORDS = ['slightly', 'a', 'little', 'bit', 'touch', 'subtly', 'somewhat', 'gently', 'mildly', 'marginally', 'tad',
  'much', 'lot', 'lots', 'very', 'significantly', 'way', 'strongly', 'dramatically', 'heavily', 'considerably', 'really', 'super',
  'extremely', 'more', 'less', 'by', 'percent', 'bit', 'than', 'before', 'too', 'quite'];

export type Position = 'top-left' | 'top' | 'top-right' | 'left' | 'center' | 'right' | 'bottom-left' | 'bottom' | 'bottom-right';

/** "in the top right corner", "at the bottom", "centered" → a position; bottom-right when none is named. */
export function parsePosition(clause: string, fallback: Position = 'bottom-right'): Position {
  const top = /\b(?:top|upper)\b/.test(clause);
  const bottom = /\b(?:bottom|lower)\b/.test(clause);
  const left = /\bleft\b/.test(clause);
  const right = /\bright\b/.test(clause);
  const center = /\b(?:center|centre|middle|centered|centred)\b/.test(clause);
  const v = top ? 'top' : bottom ? 'bottom' : '';
  const h = left ? 'left' : right ? 'right' : '';
  if (v && h) return `${v}-${h}` as Position;
  if (v || h) return (v || h) as Position;
  return center ? 'center' : fallback;
}

export const POSITION_WORDS = ['top', 'upper', 'bottom', 'lower', 'left', 'right', 'center', 'centre', 'middle', 'centered', 'centred',
  'corner', 'side', 'edge', 'in', 'at', 'on', 'the', 'of', 'hand'];
