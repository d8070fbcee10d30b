import type { EditOp } from '../../plan.ts';

/** Text in quotes, taken out of the prompt before it is lower-cased and split (see parse/index.ts). */
export interface ParseContext {
  quotes: string[];
}

/**
 * A rule recognises one kind of instruction. `match` returns the operation, or null when the clause
 * is not (fully) this kind. Words a clause may contain beyond the rule's own patterns are limited to
 * COMMON_WORDS and the rule's `words`, so "make the background black and white" does not pass for a
 * whole-image black-and-white edit: an unknown word means the clause is not understood.
 */
export interface Rule {
  name: string;
  /** How the rule is described in the "what I can do" list of an unsupported_edit error. */
  help: string;
  match(clause: string, ctx: ParseContext): EditOp | { keep: true } | null;
}

export const COMMON_WORDS = new Set([
  'a', 'an', 'the', 'it', 'its', "it's", 'this', 'that', 'my', 'our', 'image', 'images', 'photo', 'photograph', 'picture', 'pic',
  'shot', 'whole', 'entire', 'make', 'turn', 'convert', 'change', 'into', 'to', 'in', 'be', 'so', 'version', 'of', 'should',
  'just', 'all', 'everything', 'please', 'me', 'for', 'now', 'fully', 'completely', 'entirely', 'totally', 'give', 'apply',
  'set', 'render', 'as', 'is', 'by', 'with', 'result', 'output', 'final', 'overall', 'look', 'looks', 'looking', 'feel', 'some',
  'bit', 'little', 'slightly', 'add', 'use',
]);

const words = (s: string) => s.split(/[^a-z0-9'%._#-]+/).filter(Boolean);

/** True when every word left after removing `consumed` is common or in `extra`. */
export function onlyKnownWordsLeft(clause: string, consumed: RegExp[], extra: readonly string[]): boolean {
  let rest = clause;
  for (const re of consumed) rest = rest.replace(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`), ' ');
  const allowed = new Set(extra);
  return words(rest).every((w) => COMMON_WORDS.has(w) || allowed.has(w) || /^\d+(\.\d+)?(%|px|x)?$/.test(w));
}

/** A rule made of a trigger, the words it may meet, and a builder that reads the parameters. */
export function rule(spec: {
  name: string;
  help: string;
  trigger: RegExp;
  consumed?: RegExp[];
  words?: readonly string[];
  build(clause: string, ctx: ParseContext): EditOp | null;
}): Rule {
  return {
    name: spec.name,
    help: spec.help,
    match(clause, ctx) {
      if (!spec.trigger.test(clause)) return null;
      if (!onlyKnownWordsLeft(clause, [spec.trigger, ...(spec.consumed ?? [])], spec.words ?? [])) return null;
      return spec.build(clause, ctx);
    },
  };
}
