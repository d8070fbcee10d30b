import { isUnknown } from '../clause.ts';
import type { RGB } from '../colors.ts';
import type { Frame } from './frame.ts';

const chromatic = (c: RGB) => Math.max(...c) - Math.min(...c) > 40;

/**
 * Recolouring: "make the red cup green", "change the colour of the car to blue", "change red to
 * blue", "replace the red car with a blue car". The thing named decides where:
 * - a thing that is a photo's whole subject (a cup, a car, "the product"): within the subject mask;
 * - a part of a subject or of the scene (hair, a shirt, the sky): only within a mask the client sends,
 *   since recolouring the subject's main hue would change other parts too;
 * - a word the lexicon does not know: within the subject, but only when its colour is named (the
 *   hue finds it); otherwise it needs a mask like a part;
 * - nothing named: every pixel of the source colour.
 */
export const recolor: Frame = {
  name: 'recolor', triggers: ['color', 'replace'], example: 'recolor',
  read(c, ctx) {
    const colors = c.colors();
    if (colors.length === 0 || colors.length > 3) return null;
    // A verb, or (in languages that mark the new colour with a particle, "カップを赤に") a "to".
    if (!c.has('change', 'replace', 'color', 'to')) return null;
    c.take('change') ?? c.take('replace');
    c.takeAll('color', 'change', 'replace');
    // Named things: the lexicon's, or up to two unknown words side by side ("coffee cup").
    const things = c.takeWhere((t) => !!t.thing || t.concepts.has('subject'));
    const unknown = c.find((t) => isUnknown(t));
    if (unknown.length > 0 && !ctx.unknownObjects) return null;
    if (unknown.length > 2 || (unknown.length === 2 && unknown[1]!.index !== unknown[0]!.index + 1)) return null;
    for (const u of unknown) c.use(u.index);
    // "Her shirt", "the dog's collar": a person or animal beside another thing owns it.
    const owned = things.filter((t) => t.token.thing?.kind !== 'being' && !(t.token.concepts.has('subject') && !t.token.thing));
    if (owned.length && owned.length < things.length) things.splice(0, things.length, ...owned);
    const names = new Set(things.map((t) => t.token.thing?.name ?? 'subject'));
    // "Replace the red car with a blue car" names one thing twice; two different things is not a recolour.
    if (names.size > 1) return null;
    const firstTarget = Math.min(...[...things, ...unknown].map((t) => t.index));
    const before = (i: number) => c.tokens.slice(0, i).reverse().find((t) => !t.filler);
    const toIndex = c.tokens.findIndex((t, i) => !!t.color && !!before(i) && (before(i)!.concepts.has('to') || before(i)!.concepts.has('with')));
    // One colour right before the thing, with no "to", is the thing's colour now ("fix the red eyes"):
    // there is no new colour.
    const targets = [...things, ...unknown].map((t) => t.index);
    if (colors.length === 1 && toIndex < 0 && targets.some((i) => i > colors[0]!.index && c.tokens.slice(colors[0]!.index + 1, i).every((t) => t.filler))) return null;
    // The target colour follows "to"/"into"/"with"; without one, it is the last colour named.
    // "Blau statt rot", "blue instead of red": a colour after "instead of" is the one it has now.
    // A word that is "of" as well ("de", "von") marks the colour it has now only beside a "to" ("de rojo
    // a azul"): "pinta la taza roja de azul" paints it blue.
    const fromIndex = c.tokens.findIndex((t, i) => !!t.color && !!before(i) && before(i)!.concepts.has('from') && !before(i)!.concepts.has('to') &&
      (!before(i)!.concepts.has('of') || toIndex >= 0));
    const to = colors.find((x) => x.index === toIndex) ?? colors.filter((x) => x.index !== fromIndex).at(-1) ?? colors.at(-1)!;
    const others = colors.filter((x) => x !== to);
    if (others.length > 1) return null;
    const from = others[0];
    for (const x of colors) c.use(x.index);
    c.takeAll('from', 'to', 'with', 'everything');
    const part = things.find((t) => t.token.thing && t.token.thing.kind !== 'object');
    const object = part?.token.thing?.name ?? things[0]?.token.thing?.name ?? (things.length ? 'subject' : unknown.map((u) => u.token.text).join(' ') || null);
    if (object === null) {
      // "change red to blue": the source colour must be named, and have a hue to select by.
      if (!from || !chromatic(from.color)) return null;
      return { op: 'recolor', from: from.color, to: to.color, object: null, scope: 'all' };
    }
    // A source colour after the target ("the car that is red to blue") reads the same.
    if (from && from.index !== fromIndex && from.index > firstTarget && from.index > to.index) return null;
    // A white, grey or black thing has no hue to find it by: only inside the thing named ("the black bag").
    const fromColor = from ? from.color : null;
    if (from && !chromatic(from.color) && things.length === 0) return null;
    const scope = part || (unknown.length > 0 && things.length === 0 && !fromColor) ? 'mask' : 'subject';
    return { op: 'recolor', from: fromColor, to: to.color, object, scope };
  },
};
