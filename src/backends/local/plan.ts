import type { Position } from './parse/amounts.ts';
import { hex, type RGB } from './parse/colors.ts';

/** One operation the local engine knows how to carry out. */
export type EditOp =
  | { op: 'grayscale' }
  | { op: 'sepia' }
  | { op: 'invert' }
  /**
   * Multiply brightness: 1.2 = 20% brighter. With `auto` (a described problem, "it's too dark"),
   * the step corrects the exposure by measuring the image, and `factor` only gives the direction.
   */
  | { op: 'brightness'; factor: number; auto?: true }
  /** Contrast around mid-grey: 1.25 = 25% more. With `auto` (a flat photo), stretched from the image's levels instead. */
  | { op: 'contrast'; factor: number; auto?: true }
  | { op: 'saturation'; factor: number }
  /**
   * Positive warmer, negative cooler; 0.2 is a clear but natural shift. With `auto` (a described
   * cast, "it's too yellow", "the white balance is off"), the step measures the image's colour cast
   * and takes it out; the sign of `amount` only gives the direction named, and 0 names none.
   */
  | { op: 'temperature'; amount: number; auto?: true }
  | { op: 'hue'; degrees: number }
  | { op: 'tint'; color: RGB; strength: number }
  | { op: 'rotate'; degrees: number }
  | { op: 'flip'; axis: 'horizontal' | 'vertical' }
  | { op: 'resize'; scale: number }
  | { op: 'resize'; width?: number; height?: number }
  /** The longest side to this many pixels ("resize to 1024 px"). */
  | { op: 'resize'; longest: number }
  /** "Resize it" without a size: to the request's `size` parameter. */
  | { op: 'resize'; requested: true }
  | { op: 'crop-aspect'; width: number; height: number }
  /** Trims the border of one colour that runs round the image; `color`: the colour the prompt named for it. */
  | { op: 'trim'; color?: RGB }
  | { op: 'border'; thickness: number | 'thin' | 'normal' | 'thick'; color: RGB }
  | { op: 'pad'; pixels: number | undefined; color: RGB | 'transparent' }
  | { op: 'blur'; sigma: number | undefined; amount: number }
  | { op: 'sharpen'; amount: number }
  | { op: 'denoise'; amount: number }
  /** `object`: the thing the prompt named for the subject it keeps ("blur everything except the cup"), see namedThing. */
  | { op: 'pixelate'; block: number | undefined; amount: number; region: 'all' | 'subject' | 'background'; object?: string }
  | { op: 'vignette'; amount: number }
  /**
   * Background edits. `object`: the thing the prompt named for the subject they keep ("black and
   * white except the cup"), which the subject mask is only when it is one object (see namedThing).
   */
  | { op: 'background'; action: 'remove'; object?: string }
  | { op: 'background'; action: 'color'; color: RGB; shadow?: boolean; object?: string }
  | { op: 'background'; action: 'blur'; amount: number; object?: string }
  | { op: 'background'; action: 'grayscale'; object?: string }
  /** The subject over the second uploaded image, cover-fitted to the first image's size. */
  | { op: 'background'; action: 'image'; object?: string }
  /**
   * Recolour things of one hue (or the subject's main hue) to another, keeping their shading.
   * `scope` says where: everywhere, within the subject mask, or only within the request's mask (a
   * part of the subject or of the scene that the subject mask cannot find on its own).
   */
  | { op: 'recolor'; from: RGB | null; to: RGB; object: string | null; scope: 'all' | 'subject' | 'mask' }
  /** Black and white except the colours near one hue ("black and white but keep the red"). */
  | { op: 'splash'; keep: RGB }
  | { op: 'text'; text: string; position: Position; color?: RGB; size?: number | 'small' | 'large' }
  | { op: 'watermark'; text: string; opacity: number; position: Position; color?: RGB; size?: number | 'small' | 'large' };

/** What a prompt asks for, in order, and how it was read. */
export interface EditPlan {
  ops: EditOp[];
  /** What the prompt asked to keep, in English ("the subject", "#ff0000"). */
  kept: string[];
  /** The prompt's language, when it was not English. */
  language?: { code: string; name: string };
  /** Words read as another word ("darkr" → "darker"). */
  corrections?: Array<{ typed: string; read: string }>;
}

/**
 * A short English description of a plan, returned as `revised_prompt`: the operations, then what
 * was kept, the language when not English, and every typo read as another word.
 */
export function describePlan(plan: EditPlan): string {
  const parts = plan.ops.map(describeOp);
  if (plan.kept.length) parts.push('keep everything else');
  let text = parts.join('; ');
  const notes: string[] = [];
  if (plan.language) notes.push(`understood from ${plan.language.name}`);
  for (const c of plan.corrections ?? []) notes.push(`read "${c.typed}" as "${c.read}"`);
  if (notes.length) text += ` (${notes.join('; ')})`;
  return text;
}

const styleOf = (op: { color?: RGB; size?: number | 'small' | 'large' }) =>
  `${op.color ? ` in ${hex(op.color)}` : ''}${op.size !== undefined ? `, ${typeof op.size === 'number' ? `${op.size}px` : op.size}` : ''}`;
const pct = (f: number) => `${Math.round(Math.abs(f - 1) * 100)}%`;
const n = (v: number) => +v.toFixed(4);

export function describeOp(op: EditOp): string {
  switch (op.op) {
    case 'grayscale': return 'convert to black and white';
    case 'sepia': return 'apply sepia tone';
    case 'invert': return 'invert colours';
    case 'brightness': return `${op.factor >= 1 ? 'brighten' : 'darken'} ${op.auto ? 'to correct the exposure' : `by ${pct(op.factor)}`}`;
    case 'contrast': return op.auto ? 'increase contrast to correct the flat look' : `${op.factor >= 1 ? 'increase' : 'decrease'} contrast by ${pct(op.factor)}`;
    case 'saturation': return `${op.factor >= 1 ? 'increase' : 'decrease'} saturation by ${pct(op.factor)}`;
    case 'temperature':
      if (op.auto) return `${op.amount > 0 ? 'warm colours to ' : op.amount < 0 ? 'cool colours to ' : ''}correct the colour cast`;
      return `${op.amount >= 0 ? 'warm' : 'cool'} colours by ${Math.round(Math.abs(op.amount) * 100)}%`;
    case 'hue': return `shift hue by ${n(op.degrees)} degrees`;
    case 'tint': return `tint ${hex(op.color)} at ${Math.round(op.strength * 100)}%`;
    case 'rotate': return `rotate ${n(op.degrees)} degrees clockwise`;
    case 'flip': return `flip ${op.axis}ly`;
    case 'resize':
      if ('scale' in op) return `scale by ${n(op.scale)}x`;
      if ('longest' in op) return `resize the longest side to ${op.longest}px`;
      if ('requested' in op) return 'resize to the requested size';
      return `resize to ${op.width ?? 'auto'}x${op.height ?? 'auto'}`;
    case 'crop-aspect': return `crop to ${op.width}:${op.height}`;
    case 'trim': return op.color ? `trim the ${hex(op.color)} border` : 'trim uniform borders';
    case 'border': return `add ${typeof op.thickness === 'number' ? `${op.thickness}px` : op.thickness} ${hex(op.color)} border`;
    case 'pad': return `pad canvas${op.pixels ? ` by ${op.pixels}px` : ''} with ${op.color === 'transparent' ? 'transparency' : hex(op.color)}`;
    case 'blur': return op.sigma ? `blur (sigma ${n(op.sigma)})` : `blur (strength ${n(op.amount)})`;
    case 'sharpen': return `sharpen (strength ${n(op.amount)})`;
    case 'denoise': return `reduce noise (strength ${n(op.amount)})`;
    case 'pixelate': {
      const what = op.region === 'subject' ? 'pixelate subject' : op.region === 'background' ? 'pixelate background' : 'pixelate';
      const keep = op.region === 'subject' ? '; keep background' : op.region === 'background' ? '; keep subject' : '';
      return `${what}${op.block ? ` with ${op.block}px blocks` : ''}${keep}`;
    }
    case 'vignette': return `add vignette (strength ${n(op.amount)})`;
    case 'background':
      switch (op.action) {
        case 'remove': return 'remove background; keep subject';
        case 'color': return `replace background with ${hex(op.color)}${op.shadow ? ' and a soft contact shadow' : ''}; keep subject`;
        case 'blur': return `blur background (strength ${n(op.amount)}); keep subject`;
        case 'grayscale': return 'make background black and white; keep subject in colour';
        case 'image': return 'replace background with image 2; keep subject of image 1';
      }
      break;
    case 'recolor': return `recolour ${op.object ? `the ${op.object}` : 'everything'}${op.from ? ` from ${hex(op.from)}` : ''} to ${hex(op.to)}, keeping shading${op.object ? '; keep the rest' : ''}`;
    case 'splash': return `convert to black and white except colours near ${hex(op.keep)}`;
    case 'text': return `add text ${JSON.stringify(op.text)} at ${op.position}${styleOf(op)}`;
    case 'watermark': return `add watermark ${JSON.stringify(op.text)} at ${op.position}, ${Math.round(op.opacity * 100)}% opacity${styleOf(op)}`;
  }
}

/** How many uploaded images a plan reads: the second only as a new background. */
export const imagesUsed = (plan: EditPlan) => (plan.ops.some((op) => op.op === 'background' && op.action === 'image') ? 2 : 1);

/** Operations that need the subject mask. */
export const needsSubject = (op: EditOp) =>
  op.op === 'background' || (op.op === 'recolor' && op.scope === 'subject') || (op.op === 'pixelate' && op.region !== 'all');

/**
 * The thing an operation names by a noun alone and looks for as the subject: a recolour of "the ball"
 * without its colour, a background edit that keeps "the cup". The engine has no object detector, so
 * the subject mask is that thing only when it is one object (segment/objects.ts); a thing named with
 * its colour ("the orange ball") is found by the colour and needs no such check.
 */
export function namedThing(op: EditOp): string | undefined {
  if (op.op === 'recolor') return op.scope === 'subject' && op.from === null && op.object && op.object !== 'subject' ? op.object : undefined;
  if (op.op === 'background' || op.op === 'pixelate') return op.object;
  return undefined;
}

/** Operations that move pixels, which a mask (drawn on the source) cannot follow. */
const GEOMETRY = new Set<EditOp['op']>(['rotate', 'flip', 'resize', 'crop-aspect', 'trim', 'border', 'pad']);
export const changesGeometry = (op: EditOp) => GEOMETRY.has(op.op);
