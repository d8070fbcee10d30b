import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import { RetouchError } from '../src/errors.ts';
import { cases as de } from './prompt-table/de.ts';
import { cases as en } from './prompt-table/en.ts';
import { cases as es } from './prompt-table/es.ts';
import { cases as fr } from './prompt-table/fr.ts';
import { cases as ja } from './prompt-table/ja.ts';
import { cases as pt } from './prompt-table/pt.ts';
import { cases as zh } from './prompt-table/zh.ts';
import { matches, show } from './prompt-table/signature.ts';
import type { PromptCase } from './prompt-table/types.ts';

/**
 * The prompt table: how people write edits, in seven languages, each mapped to the plan it must
 * give or to a refusal. A recolour the plan can only do inside a client's mask counts as a refusal
 * here (the engine refuses it when no mask is sent).
 */
const TABLES: Record<string, PromptCase[]> = { en, zh, ja, es, de, fr, pt };

for (const [lang, cases] of Object.entries(TABLES)) {
  describe(`prompt table: ${lang} (${cases.length} prompts)`, () => {
    for (const [prompt, expected] of cases) {
      it(`${JSON.stringify(prompt)} → ${expected === 'refuse' ? 'refused' : expected.join(', ')}`, () => {
        let plan;
        try {
          plan = parsePrompt(prompt);
        } catch (err) {
          if (!(err instanceof RetouchError)) throw err;
          assert.equal(err.code, 'unsupported_edit');
          assert.equal(expected, 'refuse', `refused: ${err.message}`);
          return;
        }
        const needsMask = plan.ops.some((op) => op.op === 'recolor' && op.scope === 'mask');
        if (expected === 'refuse') {
          assert.ok(needsMask, `expected a refusal, got [${plan.ops.map(show).join(', ')}]`);
          return;
        }
        assert.ok(!needsMask, `needs a mask: [${plan.ops.map(show).join(', ')}]`);
        const why = matches(plan, expected);
        assert.equal(why, null, why ?? '');
      });
    }
  });
}
