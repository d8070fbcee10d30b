import { type Clause, isIgnorable, isPronoun, isUnknown, OPERATION_CONCEPTS } from '../clause.ts';
import { hex } from '../colors.ts';
import type { Frame, Kept } from './frame.ts';

/** Whether a clause only asks to keep things: it starts with a keep word, or has one and no operation. */
export function isKeepClause(c: Clause, startsKeep: boolean): boolean {
  if (startsKeep) return true;
  // "La persona colorida" (in colour): a word that also says "as it is" does not make an operation.
  // "Deixe ele branco" (make it white) is "déjalo blanco": a colour given to a pronoun is an edit.
  const operates = c.tokens.some((t) => !t.concepts.has('same') && [...t.concepts].some((x) => OPERATION_CONCEPTS.has(x) && x !== 'remove')) ||
    c.colors().length > 1 || (c.colors().length > 0 && c.find((t) => t.thing?.kind === 'object' || t.concepts.has('background') || isPronoun(t)).length > 0);
  const first = c.tokens.find((t) => !isIgnorable(t) || t.concepts.has('keep'));
  // "Leave"/"deja"/"deixe" also mean "make" ("deja la imagen más clara", "deixa o fundo branco"): a keep
  // only without an operation.
  // "Menos saturación" (less saturation): "menos" is also "except", which it is not before an operation.
  if ((first?.concepts.has('except') && !(first.concepts.has('less') && operates)) ||
    (first?.concepts.has('keep') && (!first.concepts.has('change') || !operates))) return true;
  // "…and the person in colour", "Ball in Farbe": what stays, said without a verb; an object named is
  // the photo's subject.
  const stays = c.has('subject', 'background', 'everything') || c.find((t) => t.thing?.kind === 'object' || t.thing?.kind === 'being').length > 0;
  return (c.has('keep') || (c.has('same') && stays)) && !operates &&
    !c.find((t) => t.color !== undefined && !c.has('keep')).length;
}

/**
 * "Keep the subject sharp", "leave the background as it is", "keep the red", "everything else
 * unchanged": what to keep, checked against the plan afterwards (keep.ts in parse/).
 */
export const keep: Frame = {
  name: 'keep', triggers: ['keep'], example: 'splash',
  read(c) {
    c.takeAll('keep', 'except', 'same', 'not');
    const kept: Kept[] = [];
    for (const { color, token, index } of c.colors()) {
      c.use(index);
      kept.push({ what: 'color', color, name: token.text || hex(color) });
    }
    if (c.takeAll('background').length) kept.push({ what: 'background' });
    // "Except the red umbrella": the colour names what to keep; the thing only says where it is.
    const byColour = kept.some((k) => k.what === 'color');
    for (const { index, token } of c.takeWhere((t) => t.concepts.has('subject') || t.thing?.kind === 'object' || t.thing?.kind === 'being')) {
      if (byColour) { if (index > 0 && isUnknown(c.tokens[index - 1]!)) c.use(index - 1); continue; }
      // An object named by a noun ("except the cup") is kept as the subject, which it is only when the
      // photo has one object: the name goes with it, for the engine to check (segment/objects.ts).
      const object = token.thing?.kind === 'object' ? token.thing.name : undefined;
      if (!kept.some((k) => k.what === 'subject')) kept.push(object ? { what: 'subject', object } : { what: 'subject' });
    }
    for (const { token } of c.takeWhere((t) => t.thing?.kind === 'part' || t.thing?.kind === 'scene')) kept.push({ what: 'thing', name: token.thing!.name });
    if (c.takeAll('color').length) kept.push({ what: 'thing', name: 'colours' });
    if (c.takeAll('aspect').length) kept.push({ what: 'aspect' });
    if (c.takeAll('size', 'width', 'height').length) kept.push({ what: 'size' });
    // "Brighter, but not too bright": a moderation of the edit, which keeps its usual amount.
    c.takeAll('everything', 'image', 'bright', 'sharpen', 'center', 'too');
    if (c.find((t) => isUnknown(t)).length) return null;
    return { kept: kept.length ? kept : [{ what: 'everything' }] };
  },
};
