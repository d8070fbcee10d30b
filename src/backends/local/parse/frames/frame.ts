import type { Position } from '../amounts.ts';
import type { Clause } from '../clause.ts';
import type { RGB } from '../colors.ts';
import type { Concept, ExampleKey } from '../lexicon/types.ts';
import type { EditOp } from '../../plan.ts';

/** What a keep clause asks to keep, checked against the plan once every clause is read. */
export type Kept =
  | { what: 'everything' }
  /** `object`: the thing named for it ("except the cup"), when it was named by a noun rather than "the subject". */
  | { what: 'subject'; object?: string }
  | { what: 'background' }
  | { what: 'size' }
  | { what: 'aspect' }
  | { what: 'color'; color: RGB; name: string }
  | { what: 'thing'; name: string };

export interface FrameContext {
  /** The operation of the clause before, for clauses that leave their target unsaid ("… and make it white"). */
  previous: EditOp | undefined;
  /**
   * Whether a word the lexicon does not know may name the thing to recolour ("the red kayak"). Only
   * where the lexicon's function words are complete enough that an unknown word is a noun (English);
   * elsewhere an unknown word may be grammar the lexicon lacks, and recolouring "it" would be a guess.
   */
  unknownObjects: boolean;
}

/**
 * A frame reads one kind of instruction out of a clause: it uses the tokens it understands and
 * returns the operation, or null when the clause is not this kind. The parser accepts a frame's
 * answer only when no content token is left unused.
 */
export interface Frame {
  name: string;
  /** Concepts that suggest this frame, for "did you mean" when a clause is not understood. */
  triggers: readonly Concept[];
  example: ExampleKey;
  read(clause: Clause, ctx: FrameContext): EditOp | EditOp[] | { kept: Kept[] } | null;
}

/**
 * How much, from the clause: a percentage ("by 30%") as a fraction, "slightly" half the base,
 * "much"/"very" twice; the base otherwise. Uses the tokens it reads.
 */
export function amountOf(c: Clause, base: number, signed = false): number {
  // A negative percentage ("-20%") says which way, which only a frame that reads directions may use.
  const pct = c.find((t) => t.number !== undefined && t.unit === 'pct' && (signed || t.sign !== -1))[0];
  if (pct) {
    c.use(pct.index);
    return Math.min(pct.token.number! / 100, 5);
  }
  if (c.take('slightly')) return base / 2;
  if (c.take('very')) return base * 2;
  // "Sharpen it more", "enfoca más": a little past the usual amount.
  if (c.take('more')) return base * 1.5;
  return base;
}

/** +1 for "more", -1 for "less", 0 when the clause says neither. */
export function directionOf(c: Clause): number {
  if (c.take('more') || c.take('add')) return 1;
  // "Take away some saturation", "tira um pouco da saturação".
  if (c.take('remove')) return -1;
  if (c.take('less')) return -1;
  return 0;
}

/** A position from the clause's position words ("top right", "bottom", "centre"), using them. */
export function positionOf(c: Clause, fallback: Position): Position {
  const top = !!c.take('top');
  const bottom = !top && !!c.take('bottom');
  const left = !!c.take('left');
  const right = !left && !!c.take('right');
  const center = !!c.take('center');
  c.takeAll('corner');
  const v = top ? 'top' : bottom ? 'bottom' : '';
  const h = left ? 'left' : right ? 'right' : '';
  if (v && h) return `${v}-${h}` as Position;
  if (v || h) return (v || h) as Position;
  return center ? 'center' : fallback;
}

/**
 * The first unused number with one of the units (or no unit when `bare`), used. A number written
 * with a minus ("-90") is read only by a frame that asks for `signed` numbers (and then negative):
 * elsewhere it stays unused, so that "a -10px border" is refused rather than read as 10.
 */
export function numberWith(c: Clause, units: Array<'deg' | 'px' | 'pct' | 'x'>, bare = false, signed = false): number | undefined {
  const hit = c.find((t) => t.number !== undefined && (signed || t.sign !== -1) &&
    ((t.unit !== undefined && units.includes(t.unit)) || (bare && t.unit === undefined)))[0];
  if (!hit) return undefined;
  c.use(hit.index);
  return hit.token.sign === -1 ? -hit.token.number! : hit.token.number;
}

/** The sign of an unused number written with one ("+20%", "-15"), without using it; 0 when there is none. */
export function signOf(c: Clause, units: Array<'deg' | 'px' | 'pct' | 'x'>, bare = false): number {
  const hit = c.find((t) => t.sign !== undefined && ((t.unit !== undefined && units.includes(t.unit)) || (bare && t.unit === undefined)))[0];
  return hit?.token.sign ?? 0;
}
