import type { Clause } from '../clause.ts';
import { type Frame, numberWith, positionOf } from './frame.ts';

/** The quoted text of the clause, used. */
function quoteOf(c: Clause): string | null {
  const q = c.find((t) => t.quote !== undefined)[0];
  if (!q || !q.token.quote!.trim()) return null;
  c.use(q.index);
  return q.token.quote!;
}

/** Colour, size and position, the slots text and watermarks share; every one named is honoured. */
function styleOf(c: Clause) {
  const colors = c.colors();
  if (colors.length > 1) return null;
  if (colors[0]) c.use(colors[0].index);
  c.takeAll('color');
  const px = numberWith(c, ['px'], true);
  // "，大一点", "…, bigger": after the text, a size word is the text's size.
  const size = px ?? (c.take('large') ?? c.take('bigger') ? 'large' as const : c.take('small') ?? c.take('smaller') ? 'small' as const : undefined);
  return { ...(colors[0] ? { color: colors[0].color } : {}), ...(size !== undefined ? { size } : {}) };
}

export const watermark: Frame = {
  name: 'watermark', triggers: ['watermark'], example: 'watermark',
  read(c) {
    if (!c.take('watermark')) return null;
    const text = quoteOf(c);
    if (text === null) return null;
    c.takeAll('text');
    const pct = numberWith(c, ['pct']);
    c.take('opacity');
    const opacity = pct !== undefined ? Math.min(1, pct / 100) : c.take('slightly') ? 0.25 : 0.4;
    const position = positionOf(c, 'bottom-right');
    const style = styleOf(c);
    return style ? { op: 'watermark', text, opacity, position, ...style } : null;
  },
};

/** "Add the text 'SALE' in the top right corner in red": the text must be quoted. */
export const text: Frame = {
  name: 'text', triggers: ['text'], example: 'text',
  read(c) {
    if (!c.has('text', 'add') && !c.find((t) => t.quote !== undefined).length) return null;
    const value = quoteOf(c);
    if (value === null) return null;
    c.takeAll('text');
    const position = positionOf(c, 'bottom');
    const style = styleOf(c);
    return style ? { op: 'text', text: value, position, ...style } : null;
  },
};
