import type { Position } from '../parse/amounts.ts';
import { hex, type RGB } from '../parse/colors.ts';
import sharp from 'sharp';
import { errors } from '../../../errors.ts';
import { describeCoverage, fontFamilies, missingGlyphs } from '../fonts.ts';
import { pipeStep, type Shape } from '../pixels.ts';
import { shareInside } from './editable-area.ts';

export interface TextOptions {
  text: string;
  position: Position;
  color?: RGB | undefined;
  size?: number | 'small' | 'large' | undefined;
  opacity?: number;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

const ANCHOR: Record<Position, { x: number; y: number; anchor: 'start' | 'middle' | 'end' }> = {
  'top-left': { x: 0, y: 0, anchor: 'start' }, top: { x: 0.5, y: 0, anchor: 'middle' }, 'top-right': { x: 1, y: 0, anchor: 'end' },
  left: { x: 0, y: 0.5, anchor: 'start' }, center: { x: 0.5, y: 0.5, anchor: 'middle' }, right: { x: 1, y: 0.5, anchor: 'end' },
  'bottom-left': { x: 0, y: 1, anchor: 'start' }, bottom: { x: 0.5, y: 1, anchor: 'middle' }, 'bottom-right': { x: 1, y: 1, anchor: 'end' },
};

/** The font size a text asks for on an image of this shape, before it is fitted to the width. */
function askedSize(r: Shape, opts: TextOptions): number {
  const min = Math.min(r.width, r.height);
  return typeof opts.size === 'number' ? opts.size : min * (opts.size === 'large' ? 0.14 : opts.size === 'small' ? 0.05 : 0.09);
}

/** The text as an SVG the size of the image: bold Noto Sans (see fonts.ts) with an outline, at one of nine positions. */
function textSvg(r: Shape, opts: TextOptions, size: number): string {
  const min = Math.min(r.width, r.height);
  const margin = Math.round(min * 0.04);
  const a = ANCHOR[opts.position];
  const x = margin + a.x * (r.width - 2 * margin);
  // Baseline: top rows sit one cap-height down; bottom rows sit on the margin.
  const y = a.y === 0 ? margin + size * 0.8 : a.y === 1 ? r.height - margin - size * 0.2 : r.height / 2 + size * 0.3;
  const fill = hex(opts.color ?? [255, 255, 255]);
  const stroke = (opts.color ?? [255, 255, 255]).reduce((s, c) => s + c, 0) > 382 ? '#000000' : '#ffffff';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${r.width}" height="${r.height}">
      <text x="${x}" y="${y}" text-anchor="${a.anchor}" font-family="${escapeXml(fontFamilies().join(', '))}" font-weight="bold"
        font-size="${size.toFixed(1)}" fill="${fill}" stroke="${stroke}" stroke-width="${Math.max(1, size / 18).toFixed(1)}"
        paint-order="stroke" opacity="${opts.opacity ?? 1}">${escapeXml(opts.text)}</text></svg>`;
}

/** Smallest font size drawn, in pixels: below it letters are blots, and the text is refused instead. */
const MIN_TEXT_PX = 8;
/**
 * Font size at which a text's width is measured; widths scale with the size. Small, so that the
 * longest text taken (MAX_TEXT_CHARS) is measured on a canvas of ~15,000 × 40 px.
 */
const MEASURE_PX = 20;
/** Most characters drawn as one text: a caption or a slogan, not a paragraph (it would not fit legibly on one line). */
const MAX_TEXT_CHARS = 500;

/** How wide the text's ink is per pixel of font size, measured by drawing it once (librsvg lays it out as it will draw it). */
async function inkWidthPerPx(opts: TextOptions): Promise<number> {
  const shape = { width: Math.ceil(MEASURE_PX * (1.5 * [...opts.text].length + 2)), height: MEASURE_PX * 2, channels: 4 as const };
  const svg = textSvg(shape, { ...opts, position: 'left', opacity: 1 }, MEASURE_PX);
  try {
    const { info } = await sharp(Buffer.from(svg)).ensureAlpha().extractChannel(3).trim({ threshold: 0 }).raw().toBuffer({ resolveWithObject: true });
    return info.width / MEASURE_PX;
  } catch {
    return 0; // no ink at all (nothing to trim to): nothing to fit
  }
}

/**
 * The font size the text is drawn at: the asked size, at least MIN_TEXT_PX where the image is tall
 * enough, and shrunk to fit between the margins. Text wider than the image was drawn off its edges
 * (a cut sentence, answered 200); text that fits only below MIN_TEXT_PX is refused.
 */
async function fittedSize(name: string, r: Shape, opts: TextOptions): Promise<number> {
  const min = Math.min(r.width, r.height);
  const room = r.width - 2 * Math.round(min * 0.04);
  const size = Math.min(Math.max(askedSize(r, opts), MIN_TEXT_PX), min * 0.9);
  // 3% to spare: the width was measured at MEASURE_PX, where hinting rounds glyph advances a little differently.
  const fitted = Math.min(size, (room * 0.97) / await inkWidthPerPx(opts));
  if (fitted < MIN_TEXT_PX) {
    throw errors.unsupportedEdit(`The ${name} ${JSON.stringify(opts.text)} does not fit this ${r.width}x${r.height} image legibly: it would be ${Math.max(0, fitted).toFixed(1)} px tall. Use a shorter text or a larger image.`);
  }
  return fitted;
}

/** Below this share of its ink inside the client's editable area, text would come back cut or missing. */
const MIN_INSIDE = 0.9;

/**
 * Refuses, before the edit is queued, text longer than MAX_TEXT_CHARS (measuring it would cost more
 * than drawing a photo), and text with a character no bundled font can draw (Hangul, emoji…): librsvg would draw a
 * box of hex digits in its place, an image with the text wrong.
 */
export function checkDrawable(name: string, text: string): void {
  const length = [...text].length;
  if (length > MAX_TEXT_CHARS) {
    throw errors.unsupportedEdit(`The ${name} is ${length} characters long; the local engine draws text on one line, up to ${MAX_TEXT_CHARS} characters.`);
  }
  const missing = missingGlyphs(text);
  if (missing.length === 0) return;
  const shown = missing.slice(0, 8).map((ch) => `"${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
  throw errors.unsupportedEdit(`The ${name} ${JSON.stringify(text)} has ${missing.length === 1 ? 'a character' : 'characters'} the local engine has no font for: ${shown}${missing.length > 8 ? ' and more' : ''}. It draws ${describeCoverage()}.`);
}

/**
 * Draws text with an outline (readable on any background) in one of nine positions, with a margin
 * of 4% of the shorter side. Rendered by librsvg through sharp, with the bundled fonts (fonts.ts);
 * LocalBackend.edit has checked they draw every character (checkDrawable) before queueing. With a
 * client's mask, text that would fall outside the area it lets change is refused: the mask step
 * would put the original back over it, and the answer would be the image without the text.
 */
export function overlayText(name: string, opts: TextOptions) {
  return pipeStep(name, async (r, ctx) => {
    const svg = textSvg(r, opts, await fittedSize(name, r, opts));
    if (ctx.editable) {
      const inside = await shareInside(ctx.editable, svg);
      if (inside < MIN_INSIDE) {
        const missing = inside < 0.05;
        throw errors.unsupportedEdit(`The ${name} ${JSON.stringify(opts.text)} at ${opts.position} would fall ${missing ? '' : 'partly '}outside the area the mask leaves editable (where its alpha is 0), so it would be ${missing ? 'missing' : 'cut'}. Put it where the mask is transparent, or make that part of the mask transparent.`);
      }
    }
    // Compositing adds an alpha channel (opaque where the image was).
    return { apply: (p) => p.composite([{ input: Buffer.from(svg), blend: 'over' }]), shape: { ...r, channels: 4 } };
  });
}
