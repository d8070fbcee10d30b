import type { Rule } from './shared.ts';

const KEEP = /^(?:(?:but|while|and)\s+)?(?:keep|keeping|leave|leaving|preserve|preserving|maintain|maintaining|retain|don't change|do not change|dont change|without changing|no other changes|nothing else|don't touch|do not touch|don't alter|do not alter)\b/;

/** Clauses that only ask to keep things as they are: understood, and they change nothing. */
export const keep: Rule = {
  name: 'keep',
  help: 'phrases that keep things as they are ("keep everything else the same")',
  match: (clause) => (KEEP.test(clause) ? { keep: true } : null),
};
