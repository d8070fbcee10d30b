import { errors } from '../../../errors.ts';
import type { EditPlan } from '../plan.ts';
import { splitClauses } from './clauses.ts';
import { digitize } from './numbers.ts';
import { RULES } from './rules/index.ts';

/** What the local engine can do, listed in every unsupported_edit message. */
export const CAPABILITIES = RULES.filter((r) => r.name !== 'keep').map((r) => r.help);

// 'single', "double" and “curly” quotes; an apostrophe inside a word ("it's") is not a quote.
const QUOTED = /(?<![a-z])'([^']+)'(?![a-z])|"([^"]+)"|“([^”]+)”|‘([^’]+)’/gi;

/**
 * Parses an English prompt into an EditPlan. Every clause must be understood: one that is not makes
 * the whole prompt a 400 unsupported_edit naming it, because doing part of what was asked and
 * answering 200 would be a silent lie.
 */
export function parsePrompt(prompt: string): EditPlan {
  // Quoted text is kept verbatim (case, "and", commas) and replaced by placeholders before splitting.
  const quotes: string[] = [];
  const protectedPrompt = prompt.replace(QUOTED, (...m: string[]) => {
    quotes.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
    return ` qtxt${quotes.length - 1} `;
  });
  const plan: EditPlan = { ops: [], kept: [] };
  for (const clause of splitClauses(digitize(protectedPrompt.toLowerCase()))) {
    const hit = RULES.map((rule) => rule.match(clause, { quotes })).find((m) => m !== null);
    if (!hit) throw unsupported(clause.replace(/qtxt(\d+)/g, (_m, i: string) => `'${quotes[Number(i)]}'`));
    if ('keep' in hit) plan.kept.push(clause);
    else plan.ops.push(hit);
  }
  if (plan.ops.length === 0) {
    throw errors.unsupportedEdit(`The prompt asks for no change the local engine can make. It can do: ${CAPABILITIES.join('; ')}.`);
  }
  return plan;
}

function unsupported(clause: string) {
  return errors.unsupportedEdit(
    `The local engine cannot do "${clause.replace(/_/g, ' ')}". It can do: ${CAPABILITIES.join('; ')}. ` +
      'Configure an upstream model (OpenAI or Gemini) for other edits.',
  );
}
