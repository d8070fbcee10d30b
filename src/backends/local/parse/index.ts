import { errors } from '../../../errors.ts';
import type { EditPlan } from '../plan.ts';
import { splitClauses } from './clauses.ts';
import { digitize } from './numbers.ts';
import { RULES } from './rules.ts';

/** What the local engine can do, listed in every unsupported_edit message. */
export const CAPABILITIES = RULES.filter((r) => r.name !== 'keep').map((r) => r.help);

/**
 * Parses an English prompt into an EditPlan. Every clause must be understood: one that is not makes
 * the whole prompt a 400 unsupported_edit naming it, because doing part of what was asked and
 * answering 200 would be a silent lie.
 */
export function parsePrompt(prompt: string): EditPlan {
  const plan: EditPlan = { ops: [], kept: [] };
  const clauses = splitClauses(digitize(prompt.toLowerCase()));
  for (const clause of clauses) {
    const hit = RULES.map((rule) => rule.match(clause)).find((m) => m !== null);
    if (!hit) throw unsupported(clause);
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
    `The local engine cannot do "${clause.replace(/_/g, " ")}". It can do: ${CAPABILITIES.join('; ')}. ` +
      'Configure an upstream model (OpenAI or Gemini) for other edits.',
  );
}
